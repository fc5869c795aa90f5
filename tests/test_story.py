"""The words beside the charts: every figure they cite is the run's, every mechanism only where the run shows it."""

from dashboard import story
from dashboard.presets import PRESETS
from models.records import Verdict


def probe(contender, step, verdict, profile, radius=1.0, gate=None, loss=1.0, accuracy=0.25):
    return {
        "contender": contender, "step": step, "val_loss": loss, "val_accuracy": accuracy,
        "grad_per_step": profile, "spectral_radius": radius, "gate_mean": gate,
        "verdict": verdict.status, "verdict_step": verdict.step, "verdict_solved_step": verdict.solved_step,
    }  # fmt: skip


def test_facts_are_each_contenders_latest_probe_at_or_before_the_step():
    probes = [
        probe("rnn", 25, Verdict("at_chance"), [1e-12, 1.0]),
        probe("rnn", 50, Verdict("at_chance"), [1e-6, 1.0]),
        probe("rnn", 75, Verdict("learning"), [1.0, 1.0]),
    ]
    facts = story.facts_at(probes, 60)["rnn"]
    assert facts.step == 50 and facts.reach == 1e-6 and facts.length == 2


def test_powers_of_ten_are_written_as_a_person_reads_them():
    assert story.power_of_ten(1.3e-12) == "10⁻¹²"
    assert story.power_of_ten(0.32) == "0.32"
    assert story.power_of_ten(4.2e5) == "10⁶"


def test_marks_say_whether_this_run_agrees_with_each_named_contender():
    preset = PRESETS["recall"]
    decided = {
        "rnn": Verdict("solved", 25),
        "clipped_rnn": Verdict("learning"),
        "lstm": Verdict("at_chance"),
        "gru": Verdict("solved", 100),
    }
    assert [(key, ok, verdict.text) for key, ok, verdict in story.marks(preset, decided)] == [
        ("rnn", True, "solved at step 25"),
        ("clipped_rnn", False, "learning"),
        ("lstm", True, "at chance"),
        ("gru", True, "solved at step 100"),
    ]


def test_the_rho_above_one_explanation_appears_only_when_this_run_shows_it():
    preset = PRESETS["vanishing"]
    vanished = story.facts_at([probe("rnn", 1000, Verdict("at_chance"), [1e-9, 1.0], radius=1.7)], 1000)
    notes = story.mechanisms(preset, vanished)
    assert any("ρ = 1.70 > 1 and still a vanished gradient" in note for note in notes)
    assert any("10⁻⁹" in note for note in notes)
    reaching = story.facts_at([probe("rnn", 1000, Verdict("at_chance"), [0.3, 1.0], radius=1.7)], 1000)
    assert story.mechanisms(preset, reaching) == []  # the gradient reaches t = 0 here: no such story
    below_one = story.facts_at([probe("rnn", 1000, Verdict("at_chance"), [1e-9, 1.0], radius=0.9)], 1000)
    assert not any("ρ = " in note for note in story.mechanisms(preset, below_one))


def test_the_forgetting_gate_is_explained_with_this_runs_gate_and_gap():
    preset = PRESETS["recall"]  # gap 20, gate bias 0
    facts = story.facts_at([probe("lstm", 300, Verdict("at_chance"), [1e-4, 1.0], gate=0.4)], 300)
    (note,) = story.mechanisms(preset, facts)
    assert "0.40^20 ≈ 10⁻⁸" in note and "σ(0) = 0.50" in note
    solved = story.facts_at([probe("lstm", 300, Verdict("solved", 50), [0.5, 1.0], gate=0.95)], 300)
    assert "remembers" in story.mechanisms(PRESETS["recall_init"], solved)[0]
    assert story.mechanisms(PRESETS["short_gap"], facts) == []  # a preset without that mechanism says nothing


def test_a_card_cites_how_far_the_gradient_reaches_and_an_underflow_as_such():
    facts = story.facts_at([probe("gru", 25, Verdict("learning"), [0.0, 2.0], radius=1.2, gate=0.8)], 25)["gru"]
    assert story.card_figures(facts) == (
        " · gradient at t = 0: exactly 0 (underflow) × the one at t = 1 · ρ = 1.2 · mean update gate z 0.80"
    )
