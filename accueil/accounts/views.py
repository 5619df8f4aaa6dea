from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accueil.accounts import actions
from accueil.accounts.forms import StaffLoginForm, TokenForm
from accueil.accounts.models import ApiToken
from accueil.core.guards import public, staff_required

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=StaffLoginForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())


@staff_required()
@require_http_methods(["GET", "POST"])
def tokens(request):
    actor = request.actor
    form = TokenForm(request.POST or None, actor=actor)
    new_token = None
    if request.method == "POST" and form.is_valid():
        token, new_token = actions.do_issue_token(
            actor, form.cleaned_data["name"], form.cleaned_data["role"]
        )
        form = TokenForm(actor=actor)
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user, revoked_at__isnull=True),
    }
    status = 400 if request.method == "POST" and new_token is None else 200
    return render(request, "accounts/tokens.html", context, status=status)


@staff_required()
@require_POST
def revoke_token(request, token):
    token = get_object_or_404(ApiToken, id=token, user=request.user)
    actions.do_revoke_token(request.actor, token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:tokens")
