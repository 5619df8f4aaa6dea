from django import template

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """``{{ service|tr:"description" }}``: the field in the active language, or the other one."""
    return obj.tr(field) if obj is not None else ""
