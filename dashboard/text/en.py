"""English: every word the app writes. The engine's own English (tasks, contenders, verdicts) is taken from it, so
it is written once; dashboard/text/zh.py has the same keys and placeholders."""

from __future__ import annotations

from models.config import TASK_KEYS
from models.contenders import CONTENDERS
from models.records import VERDICT_TEXTS
from models.tasks import make_task

TEXT: dict[str, str] = {
    # --- the app and its pages ---------------------------------------------------------------------------------
    "app.title": "RNN Remedies Lab",
    "page.lab": "Lab",
    "page.sweep": "Sweep",
    "page.book": "Children's book",
    "lab.caption": "A tanh RNN, the same RNN with gradient clipping, an LSTM and a GRU train on identical batches. "
    "Watch which ones carry information across the gap, and why.",
    "lab.exercise": "**Exercise — {title}**  \n{exercise}",
    "lab.differs": "Settings differ from this preset's, so its expected outcome may not hold.",
    "run.cannot": "These settings cannot run: {problem}.",
    "run.changed": "Settings changed: they apply when you press **Reset** (the current run keeps its own settings).",
    "export.title": "Export",
    "export.csv": "Metrics (CSV, long format)",
    "export.json": "Configuration (JSON)",
    "workshop.sidebar": "**Workshop mode**: the settings are preset **{key}**'s, exactly as tested. "
    "[Open the full lab](?preset={key}&lang={lang}) to change them.",
    "reproduce": "**Reproduce this run in a terminal** (the same engine and seed give the same numbers):",
    # --- controls ---------------------------------------------------------------------------------------------
    "control.preset": "Preset (workshop exercise)",
    "control.preset.help": "Loads a tested configuration and its exercise. Changing a setting afterwards keeps the "
    "preset's text.",
    "control.task": "Task",
    "control.gap": "Gap (time steps to remember across)",
    "control.contenders": "Contenders",
    "control.contenders.help": "rnn: plain tanh RNN · clipped_rnn: the same RNN, gradient norm clipped · "
    "lstm: gated, additive cell state · gru: gated, interpolated state · "
    "feedforward: no recurrence, an MLP on the last k inputs (Advanced: window)",
    "control.seeds": "Number of seeds",
    "control.seeds.help": "One seed is an anecdote. With several, each contender is trained once per seed (seed, "
    "seed + 1, …) and the charts draw the median with a band: the range over up to three seeds, the middle half "
    "from four.",
    "control.advanced": "Advanced",
    "control.hidden": "Hidden units",
    "control.equal_params": "Equal parameter count",
    "control.equal_params.help": "Shrink the LSTM's and GRU's hidden layers so no contender has more weights than "
    "the RNN.",
    "control.lr": "Learning rate",
    "control.optimizer": "Optimizer",
    "control.batch": "Batch size",
    "control.clip": "Clip threshold (clipped_rnn)",
    "control.clip.help": "clipped_rnn rescales its gradient to this norm whenever it is larger (Pascanu et al. 2013).",
    "control.init_scale": "Recurrent init scale (ρ at step 0)",
    "control.init_scale.help": "Recurrent weights start orthogonal × this: 1 preserves norms, above 1 invites "
    "explosion.",
    "control.forget_bias": "Forget-gate bias (LSTM forget, GRU update)",
    "control.forget_bias.help": "1 (Keras's default) makes gates remember at the start; PyTorch's default is 0.",
    "control.window": "Feed-forward window (inputs it sees)",
    "control.window.help": "The feedforward contender is an MLP over the last k inputs only: no state, no shared "
    "weights across time. Its weights grow with k; a cue further back than k steps cannot reach it.",
    "control.seed": "Seed",
    "control.seed.help": "Weights, batches and validation set all derive from it; with several seeds, the first "
    "of them.",
    "control.pace": "Pace",
    "control.pace.help": "Steps shown per second. Slow it down to watch an explosion happen; the numbers are the same.",
    "pace.full": "full speed",
    "pace.rate": "{rate} steps/s",
    "button.train": "Train",
    "button.train.help": "Train continuously (shortcut T).",
    "button.pause": "Pause",
    "button.pause.help": "Pause; every recorded step is kept (shortcut P).",
    "button.step": "Step {steps}",
    "button.step.help": "Train {steps} steps, then pause (shortcut S).",
    "button.reset": "Reset",
    "button.reset.help": "Discard this run and start again, paused, from the current settings.",
    # --- the live panels ------------------------------------------------------------------------------------
    "status.training": "Training",
    "status.paused": "Paused",
    "status.line": "**{state}** · **Step {step}** · {rate} · training time {minutes}:{seconds}",
    "status.rate": "{rate} steps/s",
    "status.waiting": "waiting for a training slot: {ahead} run(s) ahead of you",
    "status.shared": " · shared with {others} other session(s)",
    "status.help": "Training runs in a process of its own, only while a page follows it. Sessions with identical "
    "settings share one run (same seed, same numbers); Pause freezes only your view. When more runs want to train "
    "than the server has cores, they take turns.",
    "run_message.not_started": "The training process did not start; press Reset.",
    "run_message.stopped": "The training process has stopped; press Reset.",
    "run_message.step_limit": "Paused at the {limit}-step limit.",
    "run_message.all_diverged": "Every contender diverged: nothing left to train.",
    "charts.first": "Press **Train** to start (or **Step** for 25 steps). Charts appear with the first step.",
    "chart.loss": "**Loss** · {loss_name}",
    "chart.grad_norm": "**Gradient norm** before clipping",
    "chart.accuracy": "**Accuracy**",
    "chart.accuracy.adding": "**Accuracy** (|error| < 0.04)",
    "chart.caption": "Bold lines: validation (256 fixed samples); faint lines: training batches. Dashed: chance — "
    "{explanation}; on this validation set the chance loss is {chance}. Ticks on the gradient chart mark clipped "
    "steps. A triangle at an axis edge: a value beyond the axis (loss above {ceiling}× chance, gradient norm above "
    "{grad_ceiling}); hover it for the value.",
    "legend.item": "{key} ({dash})",
    "dash.solid": "solid",
    "dash.dashed": "dashed",
    "dash.dash-dot": "dash-dot",
    "dash.dotted": "dotted",
    "dash.dash-dot-dot": "dash-dot-dot",
    "flow.title": "Gradient flow over the input's time steps",
    "flow.none": "No gradient profile yet (one is taken at every validation step).",
    "flow.caption": "How much each input time step t (x) still matters to the loss, ‖∂L/∂xₜ‖, at each validation "
    "step (y), on one log colour scale for all contenders spanning {decades} decades. Where the colour fades "
    "towards early t (left), the product of per-step Jacobians has shrunk the gradient. {below} more than "
    "{limit} decades below the scale's top; {zero} exactly 0 (the gradient underflowed to zero in 32-bit floats; "
    "for the feed-forward contender, inputs outside its window, which have no path to the output at all).",
    "radius.title": "**Spectral radius ρ of the recurrent matrix**",
    "radius.caption": "LSTM/GRU: the candidate block. ρ > 1: the recurrent matrix can stretch the state (and the "
    "gradient) step after step — explosion, unless the tanh saturates (then diag(tanh′) shrinks what W stretches). "
    "ρ < 1: it shrinks them — vanishing. The dashed line is ρ = 1; triangles mark values beyond the axis.",
    # --- chart axes and labels (Altair) ----------------------------------------------------------------------
    "axis.step": "training step",
    "axis.loss": "loss",
    "axis.accuracy": "accuracy",
    "axis.log": "{title} (log scale)",
    "axis.grad_norm": "‖gradient‖ before clipping (log scale)",
    "axis.radius": "spectral radius ρ (log scale)",
    "axis.time": "input time step t",
    "axis.gap": "gap (time steps to remember across, log scale)",
    "axis.steps_to_solve": "steps to solve",
    "axis.adjectives": "adjectives between 'saw' and the name",
    "axis.name_accuracy": "next-name accuracy",
    "rule.chance": "chance {value}",
    "rule.clip": "clip at {value}",
    "rule.budget": "budget {value}",
    "rule.last_word": "last word only {value}",
    "tip.contender": "contender",
    "tip.step": "step",
    "tip.validation": "validation {title}",
    "tip.beyond": "beyond the axis",
    "tip.seeds_from": "seeds from",
    "tip.seeds_to": "seeds to",
    "tip.grad": "‖gradient‖",
    "tip.clipped": "steps clipped",
    "tip.median_steps": "median steps",
    "tip.adjectives": "adjectives",
    # --- verdict cards and the claim ------------------------------------------------------------------------
    "card.no_validation": "no validation yet",
    "card.frozen": "weights frozen where the loss or gradient became NaN/inf",
    "card.val": "val loss {loss} (chance {chance}) · val acc {accuracy} (chance {chance_accuracy})",
    "card.median": "median over {count} seeds: val loss {loss} (chance {chance}) · val acc {accuracy} (chance "
    "{chance_accuracy})",
    "card.size": "hidden {hidden} · {weights} weights",
    "card.diverged_count": " · {count} diverged",
    "card.help": "**not started**: no validation yet. **learning**: validation loss more than 10% below the chance "
    "loss (children's book: the accuracy more than 7 points above a third). **at chance**: validation loss within "
    "±10% of the chance loss, the dashed line (children's book: the accuracy within ±7 points of a third). "
    "**worse than chance**: more than 10% above it (children's book: the accuracy more than 7 points below a "
    "third). **solved at step N**: at least 90% of the validation answers correct (adding: within ±0.04 of the "
    "sum; children's book: the object's name). **lost it at step M**: solved once, below 90% again. **diverged "
    "at step N**: the loss or gradient became NaN or infinite; the weights are frozen there.",
    "card.seeds_help": " **With several seeds**: *solved in k of K seeds* counts the seeds solved at their latest "
    "validation; the median step is when those were first solved. The chance loss shown is the first seed's "
    "validation set's.",
    "claim.none": "**No claim for these settings.** They match no preset, so nothing is promised: read the cards "
    "and the charts. Each card gives its contender's numbers at the latest validation step.",
    "claim.watch": "**What to watch** — {watch}",
    "claim.stops": "The run stops by itself at step {steps}, where the claim is shown and judged (now at step "
    "{step}). Predict first.",
    "claim.decided": "**The claim, decided at step {steps}:** {claim}",
    "claim.agrees": "agrees",
    "claim.differs": "differs from the claim",
    "claim.not_part": "not part of the claim",
    "claim.later": "The claim was made at step {steps}; the run has gone on to step {step}, so the cards may now "
    "say more.",
    "numbers.nan": "loss or gradient NaN/inf",
    "numbers.val": "val loss {loss} (chance {chance}), val acc {accuracy}",
    # --- the story: explanations said only when this run's numbers show them -----------------------------------
    "gate.lstm": "forget gate f",
    "gate.gru": "update gate z",
    "figure.reach": "gradient at t = 0: {where} × the one at t = {last}",
    "figure.zero_window": "exactly 0 (outside its window)",
    "figure.zero_underflow": "exactly 0 (underflow)",
    "figure.radius": "ρ = {value}",
    "figure.gate": "mean {gate} {value}",
    "story.exactly_zero": "exactly 0",
    "story.vanished": "**Why the RNN does not learn it:** the gradient reaching t = 0 is {reach} of the one at "
    "t = {last} ({key}): it is a product of {last} per-step factors diag(tanh′(aₜ)) · W, which has shrunk it "
    "exponentially, so early inputs barely move the weights.",
    "story.stretched": "**Why ρ = {radius} > 1 and still a vanished gradient ({key}):** W may stretch the gradient "
    "at each step, but where the tanh saturates (|aₜ| large) tanh′ ≈ 0, and the diagonal factor shrinks it more "
    "than W stretches it.",
    "story.clipping": "**Why one diverged and the other did not:** both started from the same weights with ρ = "
    "{scale}, so the gradient grows with every step it travels back. The plain RNN took one such step in full and "
    "its weights became NaN/inf at step {step}; clipped_rnn's gradient was rescaled to norm {clip} whenever it "
    "was larger, so its steps stayed small.",
    "story.forgets": "**Why {key} forgets here:** its {gate} averages {mean}, so a cue's trace is multiplied by "
    "about that at every step: {mean}^{gap} ≈ {trace} after {gap} steps. With gate bias {bias} the gate starts "
    "near σ({bias}) = {start}. A plain RNN has no such gate: its trace is multiplied by diag(tanh′)·W instead, "
    "which with orthogonal weights (ρ = 1 at the start) need not shrink it.",
    "story.remembers": "**Why {key} remembers:** its {gate} averages {mean}, so the state is carried across a step "
    "almost unchanged ({mean}^{gap} ≈ {trace} after {gap} steps, against 0.5^{gap} ≈ {half} for a gate at 0.5).",
    # --- the general theory ---------------------------------------------------------------------------------
    "theory.title": "The general theory: vanishing and exploding gradients, and each remedy",
    "theory.task": "**This task — {name}** ({variant}). One sample:",
    "theory.text": r"""
**Short gaps are easy.** "The clouds are in the ___": the word that decides the answer (*clouds*) is two
steps back, and every contender leaves the chance line (preset *short_gap*).

**Long gaps are not.** "I grew up in France … *(many words)* … I speak fluent ___": the deciding word is far
back. To learn from it, the error signal must travel back through every step in between.

**Why the signal vanishes or explodes.** A tanh RNN updates $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$.
The gradient that reaches step $t-k$ is a product of $k$ Jacobians:

$$\frac{\partial h_t}{\partial h_{t-k}} = \prod_{j=0}^{k-1} \operatorname{diag}\big(\tanh'(a_{t-j})\big)\, W_{hh}$$

Each factor shrinks a vector (if $\rho(W_{hh}) < 1$ or the tanh saturates, $\tanh' \le 1$) or stretches it
(if $\rho(W_{hh}) > 1$), so the product shrinks or grows **exponentially in $k$**.
→ *Gradient flow* heatmaps: where the product shrinks, the colour fades to the left, decades below the right
edge (the RNN's in preset *vanishing* from its first steps).
→ *Spectral radius* chart: the line ρ = 1 separates fading from growing.

**Clipping** rescales the whole gradient when its norm passes a threshold:
$g \leftarrow g \cdot \min(1, \theta / \lVert g \rVert)$. It stops one huge step from wrecking the weights
(preset *exploding*). It cannot make a vanished gradient big again: the direction is still dominated by
recent steps (preset *vanishing*: clipping does not rescue the RNN).
→ *Gradient norm* chart: ticks mark clipped steps; the dashed line is the threshold.

**Gates** give the state an additive path. An LSTM keeps a cell $c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$;
with the forget gate $f_t \approx 1$, $\partial c_t / \partial c_{t-1} \approx 1$ and the gradient travels back
nearly unchanged. A GRU interpolates $h_t = (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1}$ to the same effect.
→ *Loss* chart: a model whose gradient still reaches the deciding step can leave the chance line. Which models
do depends on the gap and on the initialisation (compare presets *vanishing*, *short_gap* and *recall*).

**Initialisation is a remedy too.** Orthogonal recurrent weights (ρ = 1) preserve norms at the start, and a
forget-gate bias b starts the LSTM's forget gate near σ(b): 0.73 for b = 1 (Keras's default; this lab's),
0.95 for b = 3. PyTorch's default is 0: a gate near σ(0) = 0.5 halves a cue's trace at every step, and in preset
*recall* the LSTM stays at chance, while with bias 3 (preset *recall_init*) it solves the same task. Change
them under *Advanced* and press Reset to compare.
""",
    # --- URL and language warnings --------------------------------------------------------------------------
    "warning.mode": "URL parameter `mode`: {value} is not one of {choices}.",
    "warning.unknown": "Ignored the unknown URL parameter {key}.",
    "warning.contenders": "URL parameter `contenders`: ignored {values}; the contenders are {choices}.",
    "warning.value": "URL parameter `{key}`: {problem}. Using the default, {default}.",
    "warning.lang": "URL parameter `lang`: '{value}' is not one of {choices}; using the browser's language.",
    "url.not_one_of": "{value} is not one of {choices}",
    "url.choose_one": "choose at least one of {choices}",
    "url.not_bool": "{value} is not true or false",
    "url.not_whole": "{value} is not a whole number",
    "url.not_number": "{value} is not a number",
    "url.outside": "{value} is outside {low} to {high}",
    "error.no_contenders": "contenders: choose at least one of {choices}",
    "error.repeated_contender": "contenders: each contender may appear only once",
    "error.last_seed": "seed + seeds − 1 must be at most {high:,}, got {value:,}",
    "error.choice": "unknown {name} {value!r}; choose one of: {choices}",
    "error.whole_number": "{name} must be a whole number from {low} to {high}, got {value}",
    "error.number": "{name} must be a finite number from {low} to {high}, got {value}",
    "error.gaps_format": "gaps must be whole numbers separated by commas, got '{value}'",
    "error.gaps_range": "gaps must be whole numbers from {low} to {high}",
    "error.gaps_count": "at most 12 gaps at once",
    # --- the sweep page -------------------------------------------------------------------------------------
    "sweep.title": "Breaking-point sweep",
    "sweep.caption": "Where does each architecture stop learning? Every contender is trained to the same budget at "
    "each gap, once per seed, and the chart shows the step at which it was solved (90% of validation answers "
    "right): look for the gap past which a contender no longer solves the task, and for whether the steps it "
    "needs grow with the gap (Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016).",
    "sweep.task": "Task",
    "sweep.gaps": "Gaps (comma-separated)",
    "sweep.seeds": "Seeds",
    "sweep.budget": "Budget (steps)",
    "sweep.run": "Run sweep",
    "sweep.start": "Choose a task, gaps and seeds, then **Run sweep**. Gaps swept before are drawn at once.",
    "sweep.progress": "{done} of {total} gaps done",
    "sweep.training": "gap {gap}: step {step}/{budget}",
    "sweep.seeds_range": "seeds {first}–{last}",
    "sweep.seed_one": "seed {seed}",
    "sweep.chart_caption": "{task}, {seeds} at every gap, {budget} steps each, other settings at their defaults. "
    "Points: the median step at which the seeds that solved it first did; bars: their range. Crosses at the top: "
    "no seed solved it within the budget. The same sweep from a terminal:",
    "sweep.table": "Table",
    "sweep.column.contender": "contender",
    "sweep.column.gap": "gap",
    "sweep.column.steps": "median steps",
    "sweep.column.low": "fastest",
    "sweep.column.high": "slowest",
    "sweep.column.solved": "seeds solved",
    "sweep.column.label": "result",
    "sweep.column.seeds": "seeds",
    "sweep.label": "{solved} of {seeds} seeds solved it",
    # --- the children's book --------------------------------------------------------------------------------
    "book.title": "The children's book",
    "book.notes": "The lecture notes tell the RNN principle with a children's-book generator trained on sentences "
    "like **“Doug saw Jane. Jane saw Spot. Spot saw Doug.”** Its mistakes show what a network without memory does: "
    "**“Doug saw Doug.”** (the name after *saw* chosen without knowing who did the seeing) and **“Jane saw Spot "
    "saw Doug saw …”** (no idea that a sentence is over).",
    "book.more": "What the models learn here, and why the notes' own corpus is too easy",
    "book.more.text": "A model that sees only the last word cannot know who is seeing: after *saw* it names Doug, "
    "Jane or Spot equally often, so **1 object in 3 is right** — exactly, whatever it is trained on. That is the "
    "dashed line on the accuracy charts. Any recurrent network fixes the notes' corpus as written: the subject is "
    "only two words back.\n\nSo this page puts **0 to G adjectives** (G is the setting below) between *saw* and "
    "the object: “Doug saw big red happy Jane.” Each object is the **next name in the cycle Doug → Jane → Spot → "
    "Doug**; subjects and adjectives are random. The models read whole runs of sentences word by word and predict "
    "every next word. Only the object follows from an earlier word — the subject, n + 2 words back — so accuracy "
    "is scored there: of the three names, is the likeliest the right one? The loss counts every word, most of "
    "which no model can predict (the next subject, the adjectives), so it moves little; the verdicts follow the "
    "accuracy.",
    "book.gap": "G: most adjectives between “saw” and the name",
    "book.gap.help": "Each sentence has 0 to G adjectives, uniformly. At 30 the plain RNN seldom learns the rule "
    "within 1,500 steps while the LSTM and GRU do; at 10 it learns it too.",
    "book.seed": "Seed",
    "book.distance": "Who names the right object, by distance",
    "book.distance.caption": "At the latest validation step: the share of objects whose name the model finds "
    "likeliest, by how many adjectives stand between *saw* and the name. A line flat at the dashed rule has learnt "
    "nothing about the subject; a model that remembers stays up however long the run of adjectives.",
    "book.written": "What they write (step {step})",
    "book.written.caption": "Every {every} steps each model writes three samples from a random first name, one word "
    "at a time, drawing each word from its own prediction (so a model that gives a wrong name 10% of its belief "
    "writes it about 1 time in 10). All four draw with the same dice: where their sentences part, their beliefs "
    "differ. ✓ the object is the next name after the subject; ✗ it is not, or the sentence is not one.",
    "book.adjectives": "… ({count} adjectives)",
}

TEXT |= {f"verdict.{key}": text for key, text in VERDICT_TEXTS.items()}
TEXT |= {f"remedy.{key}": spec.remedy for key, spec in CONTENDERS.items()}
for _key in TASK_KEYS:
    _task = make_task(_key, 10)
    TEXT |= {
        f"task.{_key}.name": _task.name,
        f"task.{_key}.variant": _task.variant,
        f"task.{_key}.loss": _task.loss_name,
        f"task.{_key}.baseline": _task.baseline.explanation,
        f"sample.{_key}": _task.sentence,
    }


def _preset_texts() -> dict[str, str]:
    from dashboard.presets import PRESETS  # the presets keep their English beside the configuration it describes

    fields = ("title", "exercise", "watch", "claim")
    return {f"preset.{key}.{field}": getattr(preset, field) for key, preset in PRESETS.items() for field in fields}


TEXT |= _preset_texts()
