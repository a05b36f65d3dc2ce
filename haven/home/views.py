"""Home: each person's dashboard for the roles they hold, and the administrators' test e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from haven.core import mail
from haven.core.http import SignedInRequest
from haven.home.dashboard import dashboard_for


@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    return render(request, "home/home.html",
                  {"dashboard": dashboard_for(request.user, now=timezone.now())})


@require_POST
def test_email(request: SignedInRequest) -> HttpResponse:
    try:
        mail.send_test_email(to=request.user)
    except mail.MailFailed as error:
        messages.error(request, _(
            "The test e-mail could not be sent (%(reason)s). Check EMAIL_URL and the mail "
            "server, then try again.") % {"reason": error})
    else:
        messages.success(request, _("A test e-mail is on its way to %(address)s.")
                         % {"address": request.user.email})
    return redirect("home")
