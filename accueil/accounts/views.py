import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accueil.accounts import actions
from accueil.accounts.forms import StaffLoginForm, TokenForm
from accueil.accounts.models import ApiToken
from accueil.accounts.reset import NewPasswordForm, ResetRequestForm, expiry_minutes
from accueil.core import ratelimit
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


@public
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Ask for a reset link. Known and unknown addresses get the same answer."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST":
        limit = ratelimit.Limit.parse(settings.PASSWORD_RESET_RATE)
        wait = ratelimit.hit(request, "password-reset", limit)
        if wait:
            form.is_valid()  # keep the address on the page
            minutes = max(1, math.ceil(wait / 60))
            form.add_error(
                None,
                ngettext(
                    "Too many requests came from this device. Please wait %(minutes)s minute.",
                    "Too many requests came from this device. Please wait %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            response = render(request, "accounts/password_reset.html", {"form": form}, status=429)
            response["Retry-After"] = str(wait)
            return response
        if form.is_valid():
            actions.do_request_password_reset(form.cleaned_data["email"])
            return redirect("accounts:password-reset-sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@public
@require_GET
def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html", {"minutes": expiry_minutes()})


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view: it moves the token from the address into the session before showing the
    form (so it never leaks through a referrer) and refuses an expired or used link; the
    change itself is our action."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        actions.do_reset_password(self.user, form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your new password is set. Sign in with it."))
        return redirect(self.get_success_url())

    def render_to_response(self, context, **kwargs):
        if not context.get("validlink"):
            kwargs["status"] = 400
        elif self.request.method == "POST":
            kwargs["status"] = 400  # the form was refused; a valid one redirects
        return super().render_to_response(context, **kwargs)


password_reset_confirm = public(PasswordResetConfirm.as_view())
