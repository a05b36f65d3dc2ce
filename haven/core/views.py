"""Haven's own directory pages: thin views over services and selectors."""

from __future__ import annotations

import hmac
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core import health, selectors, services
from haven.core import metrics as metrics_figures
from haven.core.audit import audit
from haven.core.avatars import avatar_for
from haven.core.email_kinds import EmailKind, wants_email
from haven.core.forms import (
    AcceptInvitationForm,
    AccessTokenForm,
    AuditFilterForm,
    EmailSettingsForm,
    ImportPeopleForm,
    PersonActiveForm,
    ProfileForm,
    RolesForm,
    UnsubscribeForm,
    errors_to_form,
)
from haven.core.http import SignedInRequest
from haven.core.idempotency import submit_once
from haven.core.importer import COLUMNS, ImportRejected, import_people
from haven.core.models import AuditAction, Person, Role
from haven.core.picker import over_search_limit
from haven.core.text import refusal

PAGE_SIZE = 50


@require_GET
def livez(request: HttpRequest) -> HttpResponse:
    """For a process manager: the process answers. It reads nothing (no database, no Redis),
    so it says nothing about the parts /healthz checks."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For a load balancer: 200 while every required part is healthy, 503 otherwise; the
    body names each part's state (docs/operations.md, "Health and metrics")."""
    parts = health.report()
    return JsonResponse(health.as_json(parts), status=200 if health.healthy(parts) else 503)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' scrape: only with HAVEN_METRICS_TOKEN as a bearer token (404 when unset)."""
    token = settings.HAVEN_METRICS_TOKEN
    if not token:
        raise Http404
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        response = HttpResponse(
            _("A bearer token is needed."), status=401, content_type="text/plain; charset=utf-8"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return HttpResponse(
            _("This token is not the metrics token."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(
        metrics_figures.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8"
    )


@require_http_methods(["GET", "POST"])
def profile(request: SignedInRequest) -> HttpResponse:
    person: Person = request.user
    initial = {"pronouns": person.pronouns, "languages": person.languages}
    if request.method == "POST":
        form = ProfileForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.update_profile(
                    person=person,
                    pronouns=form.cleaned_data["pronouns"],
                    languages=form.cleaned_data["languages"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("profile")
    else:
        form = ProfileForm(initial=initial)
    return render(request, "core/profile.html", {"form": form, "person": person})


def _picker_entry(person: Person) -> dict[str, object]:
    """One person in the picker's list: what it shows (the name, the team and the avatar the
    {% avatar %} tag would draw) and what the form sends (the work e-mail)."""
    drawn = avatar_for(person.name)
    return {
        "name": person.name,
        "team": person.team.name if person.team else "",
        "value": person.email,
        "avatar": {"initials": drawn.initials, "colour": drawn.colour},
    }


@require_GET
def people_search(request: SignedInRequest) -> HttpResponse:
    """The people picker's search (picker.js): JSON of at most a few active people. Neither
    the query nor the answer is logged, audited or cached: in the journal and a speak-up
    report, whom someone looks up is whom they are naming."""
    if over_search_limit(person=request.user):
        response = JsonResponse(
            {
                "message": _("Too many searches in a minute; wait a moment and type again."),
                "people": [],
            },
            status=429,
        )
    else:
        people = selectors.people_for_picker(
            viewer=request.user,
            text=request.GET.get("q", ""),
            include_viewer=request.GET.get("me") == "1",
        )
        response = JsonResponse({"people": [_picker_entry(person) for person in people]})
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def email_settings(request: SignedInRequest) -> HttpResponse:
    person: Person = request.user
    shown = selectors.email_settings_of(person)
    kinds = [kind for kind, _on in shown]
    if request.method == "POST":
        form = EmailSettingsForm(request.POST, kinds=kinds)
        if form.is_valid():
            services.set_email_choices(
                person=person,
                wanted={kind.key: form.cleaned_data[kind.key] for kind in kinds},
                via="settings",
            )
            messages.success(request, _("Your e-mail settings are saved."))
            return redirect("email_settings")
    else:
        form = EmailSettingsForm(kinds=kinds, initial={kind.key: on for kind, on in shown})
    return render(request, "core/email_settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def email_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """An unsubscribe link, without signing in. GET only asks (mail scanners follow links);
    the button posts the choice, and the page then offers to turn it back on."""
    named = selectors.unsubscribing(token)
    if named is None:
        return render(request, "core/unsubscribe_invalid.html", status=400)
    person, kind = named
    form = UnsubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.set_email_choices(
            person=person, via="link", wanted={kind.key: form.cleaned_data["choice"] == "resume"}
        )
    return _unsubscribe_page(
        request,
        token=token,
        person=person,
        kind=kind,
        form=form,
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt  # RFC 8058: a mail client posts here from outside any page of Haven's
@require_POST
def email_unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    named = selectors.unsubscribing(token)
    if named is None or request.POST.get("List-Unsubscribe") != "One-Click":
        return render(request, "core/unsubscribe_invalid.html", status=400)
    person, kind = named
    services.set_email_choices(person=person, wanted={kind.key: False}, via="one_click")
    return _unsubscribe_page(request, token=token, person=person, kind=kind, form=UnsubscribeForm())


def _unsubscribe_page(
    request: HttpRequest,
    *,
    token: str,
    person: Person,
    kind: EmailKind,
    form: UnsubscribeForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "core/unsubscribe.html",
        {
            "kind": kind,
            "form": form,
            "token": token,
            "on": wants_email(person_id=person.pk, kind=kind.key),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def tokens(request: SignedInRequest) -> HttpResponse:
    person: Person = request.user
    new_secret = None
    if request.method == "POST":
        form = AccessTokenForm(request.POST)
        if form.is_valid():
            try:
                # Only the same page sent again is a repeat: a second token of the same name
                # (the first revoked, its secret lost) must still be possible at once.
                outcome = submit_once(
                    person=person,
                    form=form,
                    by_content=False,
                    make=lambda: services.create_access_token(
                        person=person,
                        name=form.cleaned_data["name"],
                        days=form.cleaned_data["days"],
                    ),
                    shown_at=lambda made: f"{reverse('tokens')}?made={made[0].pk}",
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.made is None:
                    # The secret exists only as a hash now: it cannot be shown again.
                    messages.info(
                        request,
                        _(
                            "You had already sent this, so no second token was made: it is the "
                            "one marked below. Its secret was shown only once and cannot be shown "
                            "again; if you did not copy it, revoke the token and make a new one."
                        ),
                    )
                    return redirect(outcome.shown_at)
                _token, new_secret = outcome.made
                form = AccessTokenForm()
    else:
        form = AccessTokenForm()
    return render(
        request,
        "core/tokens.html",
        {
            "form": form,
            "new_secret": new_secret,
            "made": selectors.parse_id(request.GET.get("made", "")),
            "tokens": selectors.access_tokens_of(person=person),
        },
    )


@require_POST
def token_revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    token = selectors.access_token_of(person=request.user, token_id=token_id)
    services.revoke_access_token(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tokens")


@require_GET
def directory(request: SignedInRequest) -> HttpResponse:
    typed = request.GET.get("q", "")
    # A search that cannot be typed is explained beside the field and lists nobody; what
    # was typed stays in the field.
    search_error = refusal(typed, multiline=False)
    search = typed if search_error else selectors.clean_search(typed)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    team_id = selectors.parse_id(request.GET.get("team", ""))
    people = selectors.people_for_directory(
        viewer=request.user, search=search, role=role, team_id=team_id
    )
    if search_error:
        people = people.none()
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/directory.html",
        {
            "page": page,
            "q": search,
            "q_error": search_error,
            "role": role,
            "team_id": team_id,
            "query": query.urlencode(),
            "roles": Role.choices,
            "teams": selectors.teams(viewer=request.user),
            "can_manage": request.user.has_role(Role.ADMINISTRATOR),
        },
    )


@require_GET
def person_detail(request: SignedInRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    return render(
        request,
        "core/person_detail.html",
        {
            "person": person,
            "roles_form": RolesForm(initial={"roles": sorted(person.roles - {"colleague"})}),
            "can_manage": request.user.has_role(Role.ADMINISTRATOR),
        },
    )


@require_POST
def person_roles(request: SignedInRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    form = RolesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose roles from the list."))
        return redirect("person_detail", person_id=person.pk)
    if person.pk == request.user.pk and Role.ADMINISTRATOR not in form.cleaned_data["roles"]:
        messages.error(
            request, _("You cannot remove your own administrator role; ask another administrator.")
        )
        return redirect("person_detail", person_id=person.pk)
    granted, revoked = services.set_roles(
        person=person, roles=form.cleaned_data["roles"], actor=request.user
    )
    if granted or revoked:
        messages.success(request, _("Roles of %(name)s are saved.") % {"name": person.name})
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("person_detail", person_id=person.pk)


@require_POST
def person_invite(request: SignedInRequest, person_id: int) -> HttpResponse:
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    try:
        services.send_invitation(person=person, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("An invitation is on its way to %(email)s.") % {"email": person.email}
        )
    return redirect("person_detail", person_id=person.pk)


def sign_out_if_deactivated(request: SignedInRequest) -> bool:
    """After an administrator deactivated themselves (possible while another administrator
    remains), end this request's session cleanly: its stored row is already gone, and saving
    it again at the end of the request would fail."""
    if Person.objects.filter(pk=request.user.pk, is_active=True).exists():
        return False
    logout(request)
    return True


@require_http_methods(["GET", "POST"])
def person_active(request: SignedInRequest, person_id: int) -> HttpResponse:
    """GET: what deactivating the person will do, and a button to confirm. POST: deactivate
    (active=0) or reactivate (active=1)."""
    person = selectors.person_for_directory(viewer=request.user, person_id=person_id)
    if request.method == "GET":
        if not person.is_active:
            return redirect("person_detail", person_id=person.pk)
        return render(
            request,
            "core/person_deactivate.html",
            {"person": person, "is_self": person.pk == request.user.pk},
        )
    form = PersonActiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the person is active."))
        return redirect("person_detail", person_id=person.pk)
    active = form.cleaned_data["active"]
    try:
        change = services.set_person_active(
            person=person, active=active, actor=request.user, via="page"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("person_detail", person_id=person.pk)
    if sign_out_if_deactivated(request):
        return redirect("account_login")
    if not change.changed:
        messages.info(request, _("Nothing changed."))
    elif active:
        messages.success(
            request, _("%(name)s is active again and can sign in.") % {"name": person.name}
        )
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: they are signed out everywhere and cannot sign in.")
            % {"name": person.name},
        )
    return redirect("person_detail", person_id=person.pk)


@require_POST
def invite_all(request: SignedInRequest) -> HttpResponse:
    count = services.invite_everyone_waiting(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
        % {"count": count},
    )
    return redirect("directory")


@require_http_methods(["GET", "POST"])
def import_people_view(request: SignedInRequest) -> HttpResponse:
    errors = None
    result = None
    if request.method == "POST":
        form = ImportPeopleForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.HAVEN_IMPORT_MAX_BYTES:
                form.add_error(
                    "file",
                    _("The file is larger than %(mb)d MB.")
                    % {"mb": settings.HAVEN_IMPORT_MAX_BYTES // (1024 * 1024)},
                )
            else:
                try:
                    text = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
                    result = import_people(source=text, actor=request.user)
                    if sign_out_if_deactivated(request):
                        return redirect("account_login")
                except ImportRejected as rejected:
                    errors = rejected.errors
                except UnicodeDecodeError:
                    form.add_error(
                        "file",
                        _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."),
                    )
    else:
        form = ImportPeopleForm()
    return render(
        request,
        "core/import_people.html",
        {"form": form, "errors": errors, "result": result, "columns": COLUMNS},
    )


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    person = None
    try:
        person_id = int(force_str(urlsafe_base64_decode(uidb64)))
        person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    except (ValueError, OverflowError):
        person = None
    if person is None or not services.invitation_tokens.check_token(person, token):
        return render(request, "core/invitation_invalid.html", status=400)
    form = AcceptInvitationForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(
                person=person, token=token, password=form.cleaned_data["password1"]
            )
        except ValidationError:  # used in the meantime, e.g. by a second click
            return render(request, "core/invitation_invalid.html", status=400)
        messages.success(
            request, _("Welcome, %(name)s. Sign in with your new password.") % {"name": person.name}
        )
        return redirect("account_login")
    return render(request, "core/accept_invitation.html", {"form": form, "person": person})


@require_GET
def audit_log(request: SignedInRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, viewer=request.user)
    filters = selectors.AuditFilter()
    valid = form.is_bound and form.is_valid()
    if valid:
        data = form.cleaned_data
        filters = selectors.AuditFilter(
            action=data["action"],
            actor_id=data.get("actor"),
            object_type=data["object_type"],
            object_id=data["object_id"],
            since=data["since"],
            until=data["until"],
        )
    events = selectors.audit_events(viewer=request.user, filters=filters)
    if (form.is_bound and not valid) or form.matches:
        # Listing everything under a filter that was not applied would mislead; the form
        # shows what to correct, or the people to choose from.
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    # Read the page before recording this view: a row written in between would push the
    # page's last event off it.
    page.object_list = list(page.object_list)
    audit(action=AuditAction.AUDIT_VIEWED, actor=request.user, detail=filters.as_detail())
    query = request.GET.copy()
    query.pop("page", None)
    # The other filters, for links that choose a person or drop the person filter.
    other_filters = query.copy()
    for name in ("person", "actor"):
        other_filters.pop(name, None)
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "actor_id": filters.actor_id,
            "other_filters": other_filters.urlencode(),
        },
    )
