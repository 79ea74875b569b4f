"""Sign in (with an optional TOTP second factor), sign out, and the security page.

Our sign-in is the only way in: the site admin's own login page (password only) sends people
here (`admin_sign_in`), and RequireTwoFactorMiddleware ends any session of a user who has an
authenticator app but did not show a code. Turning the second factor off needs a code too.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import qrcode
import qrcode.image.svg
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .addresses import client_address
from .forms import CodeForm, SignInForm

PENDING = "pending_second_factor"
MAX_CODE_ATTEMPTS = 5


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url("inspections:home")


def _device_for_code(user: Any, code: str) -> TOTPDevice | None:
    """The user's confirmed authenticator that shows this code now, if any (django-otp counts
    and slows down wrong codes, and refuses a code already used)."""
    devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    return next((d for d in devices if d.verify_token(code)), None)


@login_not_required
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The site admin's login page, which asks for the password alone, is never used: it
    sends people to our sign-in (code step included), and back to the admin afterwards.
    A POST to it signs nobody in."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{resolve_url('accounts:login')}?{urlencode({'next': target})}")


@login_not_required
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session[PENDING] = {"user": user.pk, "backend": user.backend, "tries": 0}
            return redirect(
                f"{resolve_url('accounts:code')}?{urlencode({'next': _next_url(request)})}"
            )
        login(request, user)
        return redirect(_next_url(request))
    return render(request, "registration/login.html", {"form": form, "next": _next_url(request)})


@login_not_required
def second_factor(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("accounts:login")
    form = CodeForm(request.POST or None, submit=_("Sign in"))
    if request.method == "POST" and form.is_valid():
        user = get_user_model().objects.get(pk=pending["user"])
        device = _device_for_code(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(_next_url(request))
        pending["tries"] += 1
        request.session[PENDING] = pending
        if pending["tries"] >= MAX_CODE_ATTEMPTS:
            del request.session[PENDING]
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        form.add_error("code", _("That code is not right. Codes change every 30 seconds."))
    return render(request, "registration/code.html", {"form": form, "next": _next_url(request)})


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' answer once a name is locked from this address (AXES_LOCKOUT_CALLABLE):
    our page, saying when the lock ends and who can lift it sooner."""
    username = get_client_username(request, credentials) or ""
    last = AccessAttempt.objects.filter(
        username=username, ip_address=client_address(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    until = (last or timezone.now()) + (get_cool_off(request) or dt.timedelta())
    # 429 Too Many Requests, as django-axes answers.
    return render(request, "registration/locked_out.html", {"until": until}, status=429)


@login_not_required
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks, POST signs out: a link cannot sign anyone out behind their back."""
    if request.method != "POST":
        return render(request, "registration/logout.html")
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("accounts:login")


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def security(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, then confirm with a code) or off (with a code: a
    session left open, or a stolen password, must not be enough to remove it)."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    device = None if confirmed else TOTPDevice.objects.filter(user=user, confirmed=False).first()
    required = settings.YJ_REQUIRE_TWO_FACTOR
    if confirmed:
        form = CodeForm(request.POST or None, submit=_("Turn off two-factor sign-in"), warning=True)
    else:
        form = CodeForm(request.POST or None, submit=_("Turn on two-factor sign-in"))
    if request.method == "POST" and request.POST.get("action") == "disable" and confirmed:
        if required:
            messages.error(request, _("This site needs two-factor sign-in, so it stays on."))
            return redirect("accounts:security")
        if form.is_valid():
            if _device_for_code(user, form.cleaned_data["code"]) is not None:
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:security")
            form.add_error("code", _("That code is not right. Check the app and try again."))
    if request.method == "POST" and request.POST.get("action") == "start" and not confirmed:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        return redirect("accounts:security")
    if request.method == "POST" and request.POST.get("action") == "confirm" and device:
        if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)  # this sign-in has just shown a code: it is verified
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("accounts:security")
        form.add_error("code", _("That code is not right. Check the app and try again."))
    return render(
        request,
        "registration/security.html",
        {
            "confirmed": confirmed,
            "required": required,
            "device": device,
            "qr": _qr_svg(device.config_url) if device else None,
            "secret": base64.b32encode(device.bin_key).decode() if device else None,
            "form": form,
        },
    )


app_name = "accounts"
urlpatterns = [
    path("login/", sign_in, name="login"),
    path("login/code/", second_factor, name="code"),
    path("logout/", sign_out, name="logout"),
    path("security/", security, name="security"),
]
