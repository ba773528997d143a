"""Question series for supervisors (`/settings/<program_id>/series`): the
program's series, on and off, BARC-10 installed with a button, and a simple
series of their own (a name, every N days, 1 to 3 questions with a scale or
yes/no). The same engine and checks as /api/v1/programs/{id}/series
(checkins.series); these pages only translate its field names to the form's."""

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from checkins import series as engine
from checkins.models import Program, Question
from web.access import supervisor_required
from web.scores import scale_of

QUESTIONS_ON_FORM = 3


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="For example “Meetings attended”.")
    every_days = forms.IntegerField(min_value=1, max_value=engine.EVERY_DAYS_MAX, initial=7, label="Ask every N days")
    at_enrolment = forms.BooleanField(
        required=False, initial=False, label="Ask first right away (at the member's next check-in time)"
    )
    alert_below = forms.IntegerField(
        required=False, label="Info alert when the score is under", help_text="Leave empty for no line."
    )
    alert_drop = forms.IntegerField(
        required=False, min_value=1, label="Info alert when the score falls by at least",
        help_text="Points since the member's previous score; empty for none.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, QUESTIONS_ON_FORM + 1):
            required = n == 1
            self.fields[f"q{n}_text_en"] = forms.CharField(
                required=required, max_length=engine.TEXT_MAX, label=f"Question {n} in English",
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Neutral on a lock screen; say how to answer (“0 to 7”, “YES or NO”)." if required else "",
            )  # fmt: skip
            self.fields[f"q{n}_text_es"] = forms.CharField(
                required=False, max_length=engine.TEXT_MAX, label=f"Question {n} in Spanish",
                widget=forms.Textarea(attrs={"rows": 2}), help_text="Empty: Spanish speakers are asked in English.",
            )  # fmt: skip
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                choices=Question.Kind.choices, initial=Question.Kind.SCALE, label=f"Question {n} answer"
            )
            self.fields[f"q{n}_scale_min"] = forms.IntegerField(required=False, initial=0, label=f"Question {n} lowest")
            self.fields[f"q{n}_scale_max"] = forms.IntegerField(required=False, label=f"Question {n} highest")

    def questions(self) -> list[dict]:
        data, key = self.cleaned_data, self.key()
        out = []
        for n in range(1, QUESTIONS_ON_FORM + 1):
            if not data.get(f"q{n}_text_en"):
                continue
            kind = data[f"q{n}_kind"]
            question = {"key": f"{key}_{n}", "kind": kind, "text_en": data[f"q{n}_text_en"],
                        "text_es": data.get(f"q{n}_text_es") or ""}  # fmt: skip
            if kind == Question.Kind.SCALE:
                question.update(scale_min=data.get(f"q{n}_scale_min"), scale_max=data.get(f"q{n}_scale_max"))
            out.append(question)
        return out

    def key(self) -> str:
        return slugify(self.cleaned_data.get("name") or "")[:30].strip("-") or "series"

    def field_for(self, error: engine.SeriesError) -> str | None:
        """The form field an engine error names ("questions.1.scale_max" is q2_scale_max)."""
        parts = error.field.split(".")
        if parts[0] == "questions" and len(parts) == 3:
            name = f"q{int(parts[1]) + 1}_{parts[2]}"
            return name if name in self.fields else None
        return parts[0] if parts[0] in self.fields else None


@supervisor_required
def series_page(request: HttpRequest, program_id: int) -> HttpResponse:
    programs = Program.objects.filter(organization_id=request.staff.organization_id)
    program = get_object_or_404(programs, pk=program_id)
    form = SeriesForm(prefix="new")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "install":
            engine.install_builtin(program, "barc10")
            messages.success(request, "BARC-10 installed, switched off. Read its notes, then turn it on.")
            return redirect("web:program-series", program_id=program.pk)
        if action in ("on", "off"):
            series = get_object_or_404(program.series, pk=request.POST.get("series_id") or 0)
            try:
                engine.change(series, {"is_active": action == "on"})
            except engine.SeriesError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, f"{series.name} is {'on' if action == 'on' else 'off'}.")
            return redirect("web:program-series", program_id=program.pk)
        if action == "add":
            form = SeriesForm(request.POST, prefix="new")
            if form.is_valid():
                base, key = form.key(), form.key()
                for n in range(2, 50):
                    if not program.series.filter(key=key).exists():
                        break
                    key = f"{base}-{n}"
                try:
                    series = engine.create_custom(
                        program, name=form.cleaned_data["name"], key=key, questions=form.questions(),
                        every_days=form.cleaned_data["every_days"], at_enrolment=form.cleaned_data["at_enrolment"],
                        alert_below=form.cleaned_data.get("alert_below"), alert_drop=form.cleaned_data.get("alert_drop"),
                    )  # fmt: skip
                except engine.SeriesError as error:
                    form.add_error(form.field_for(error), error.message)
                except IntegrityError:
                    form.add_error(None, "A question of this program already has that name; choose another name.")
                else:
                    messages.success(request, f"{series.name} added, switched off. Turn it on when ready.")
                    return redirect("web:program-series", program_id=program.pk)
            messages.error(request, "The new series needs a fix; see the messages next to the fields.")
    rows = []
    for series in program.series.order_by("name", "id"):
        questions = series.active_questions()
        low, high = scale_of(series, questions)
        rows.append({"series": series, "questions": questions, "low": low, "high": high,
                     "members": series.due.count(), "scores": series.scores.count()})  # fmt: skip
    return render(
        request,
        "web/series.html",
        {
            "programs": programs,
            "program": program,
            "rows": rows,
            "has_barc10": program.series.filter(key="barc10").exists(),
            "form": form,
            "series_fields": [form[name] for name in ("name", "every_days", "alert_below", "alert_drop", "at_enrolment")],
            "question_groups": [
                (n, [form[f"q{n}_{part}"] for part in ("text_en", "text_es", "kind", "scale_min", "scale_max")])
                for n in range(1, QUESTIONS_ON_FORM + 1)
            ],
            "nav": "settings",
        },
        status=400 if request.method == "POST" else 200,
    )
