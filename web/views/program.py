"""Program settings for supervisors: the questions' texts (en/es), the
schedule and sending window, rule thresholds and the acknowledgement timeout.
The same limits as PATCH /api/v1/programs/{id} (config.limits), and the
same locked rules (RuleSetting.LOCKED_AT_LEAST).

The program's canned replies are kept on the same page, each in a form of its
own (add, save, remove) posted to the same address with a `canned` field that
says which; the settings form is posted without one."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from alerts.models import RuleSetting
from checkins.models import CannedReply, Program
from config import limits
from web.access import supervisor_required
from web.forms import CannedReplyForm, ProgramForm, QuestionFormSet, RuleFormSet

CANNED_ACTIONS = ("add", "save", "remove")


@supervisor_required
def program_settings(request: HttpRequest, program_id: int | None = None) -> HttpResponse:
    programs = Program.objects.filter(organization_id=request.staff.organization_id)
    program = get_object_or_404(programs, pk=program_id) if program_id else programs.first()
    if program is None:
        return render(request, "web/program.html", {"programs": [], "program": None, "nav": "settings"})
    # Every rule has a row to tune, also in a program made without them (in
    # the admin, say); until then the rules run on their built-in defaults.
    if program.rules.count() < len(RuleSetting.Kind):
        RuleSetting.install_defaults(program)
    if request.method == "POST" and "canned" in request.POST:
        return _canned_reply(request, programs, program)
    data = request.POST if request.method == "POST" else None
    form = ProgramForm(data, instance=program, prefix="program")
    questions = QuestionFormSet(
        data, queryset=program.questions.filter(is_active=True, series__isnull=True).order_by("position", "id"), prefix="questions"
    )
    rules = RuleFormSet(data, queryset=program.rules.select_related("program").order_by("id"), prefix="rules")
    if request.method == "POST":
        if form.is_valid() and questions.is_valid() and rules.is_valid():
            with transaction.atomic():
                form.save()
                questions.save()
                rules.save()
            messages.success(request, "Program settings saved. They apply from the next check-in and alert.")
            return redirect("web:program", program_id=program.pk)
        messages.error(request, "Some settings need a fix; see the messages next to them.")
    return _render(
        request, programs, program, form=form, questions=questions, rules=rules,
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


def _render(
    request: HttpRequest,
    programs,
    program: Program,
    *,
    form: ProgramForm | None = None,
    questions=None,
    rules=None,
    canned_form: CannedReplyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; `canned_form`, a refused canned reply form, is shown in place
    of the blank one it came from (the add form or that reply's own)."""
    canned_forms = []
    for reply in program.canned_replies.all():
        if canned_form is not None and canned_form.instance.pk == reply.pk:
            canned_forms.append(canned_form)
        else:
            canned_forms.append(CannedReplyForm(instance=reply, prefix=f"canned-{reply.pk}"))
    adding = canned_form if canned_form is not None and canned_form.instance.pk is None else None
    return render(
        request,
        "web/program.html",
        {
            "programs": programs,
            "program": program,
            "form": form if form is not None else ProgramForm(instance=program, prefix="program"),
            "questions": questions if questions is not None else QuestionFormSet(
                queryset=program.questions.filter(is_active=True, series__isnull=True).order_by("position", "id"), prefix="questions"
            ),
            "rules": rules if rules is not None else RuleFormSet(
                queryset=program.rules.select_related("program").order_by("id"), prefix="rules"
            ),
            "locked": list(RuleSetting.LOCKED_AT_LEAST),
            "canned_forms": canned_forms,
            "canned_new": adding or CannedReplyForm(prefix="canned-new"),
            "canned_max": limits.CANNED_REPLIES_MAX,
            "nav": "settings",
        },
        status=status,
    )


def _canned_reply(request: HttpRequest, programs, program: Program) -> HttpResponse:
    """Add, save or remove one of the program's canned replies."""
    action = request.POST.get("canned")
    if action not in CANNED_ACTIONS:
        return _refused(request, programs, program, "That change to the canned replies was not understood.")
    back = redirect(reverse("web:program", args=[program.pk]) + "#canned-replies")
    if action == "add":
        form = CannedReplyForm(request.POST, prefix="canned-new")
        if program.canned_replies.count() >= limits.CANNED_REPLIES_MAX:
            form.add_error(None, f"A program can have at most {limits.CANNED_REPLIES_MAX} canned replies; "
                                 "remove one first.")  # fmt: skip
        if not form.is_valid():
            return _refused(request, programs, program, "The new canned reply needs a fix.", form)
        with transaction.atomic():
            last = program.canned_replies.aggregate(last=Max("position"))["last"]
            form.instance.program = program
            form.instance.position = 0 if last is None else last + 1
            form.save()
        messages.success(request, f"Canned reply “{form.instance.label}” added.")
        return back
    reply = _own_reply(program, request.POST.get("canned_id"))
    if action == "remove":
        reply.delete()
        messages.success(request, f"Canned reply “{reply.label}” removed.")
        return back
    form = CannedReplyForm(request.POST, instance=reply, prefix=f"canned-{reply.pk}")
    if not form.is_valid():
        return _refused(request, programs, program, "The canned reply needs a fix.", form)
    form.save()
    messages.success(request, f"Canned reply “{reply.label}” saved.")
    return back


def _own_reply(program: Program, raw_id: str | None) -> CannedReply:
    """One of this program's canned replies; anything else is not found."""
    try:
        return program.canned_replies.get(pk=int(raw_id or ""))
    except (ValueError, CannedReply.DoesNotExist):
        raise Http404("No such canned reply in this program.") from None


def _refused(
    request: HttpRequest, programs, program: Program, problem: str, form: CannedReplyForm | None = None
) -> HttpResponse:
    messages.error(request, f"{problem} See the message next to it." if form is not None else problem)
    return _render(request, programs, program, canned_form=form, status=400)
