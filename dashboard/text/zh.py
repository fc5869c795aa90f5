"""中文：应用写出的每一个字。与 dashboard/text/en.py 同样的键、同样的占位符；任务和参赛模型的键（rnn、lstm、
adding……）以及 URL、CSV、命令行中的键保持英文。"""

from __future__ import annotations

TEXT: dict[str, str] = {
    # --- 应用与页面 ---------------------------------------------------------------------------------------------
    "app.title": "RNN 补救实验室",
    "page.lab": "实验室",
    "page.sweep": "扫描",
    "page.book": "儿童读物",
    "lab.caption": "一个 tanh 循环神经网络（RNN）、同一个 RNN 加梯度裁剪、一个长短期记忆网络（LSTM）和一个门控循环单元"
    "（GRU）在完全相同的批次上训练。看看谁能把信息带过间隔，以及为什么。",
    "lab.exercise": "**练习 — {title}**  \n{exercise}",
    "lab.differs": "当前设置与该预设不同，因此它预期的结果未必成立。",
    "run.cannot": "这些设置无法运行：{problem}。",
    "run.changed": "设置已更改：按 **重置** 后生效（当前运行保留它自己的设置）。",
    "export.title": "导出",
    "export.csv": "指标（CSV，长格式）",
    "export.json": "配置（JSON）",
    "workshop.sidebar": "**工作坊模式**：设置与预设 **{key}** 完全相同，正是测试过的那一组。"
    "[打开完整实验室](?preset={key}&lang={lang})以修改设置。",
    "reproduce": "**在终端中复现这次运行**（同样的引擎和种子给出同样的数字）：",
    # --- 控件 -------------------------------------------------------------------------------------------------
    "control.preset": "预设（工作坊练习）",
    "control.preset.help": "载入一组测试过的配置及其练习。之后再改设置，预设的文字会保留。",
    "control.task": "任务",
    "control.gap": "间隔（需要跨越记住的时间步数）",
    "control.contenders": "参赛模型",
    "control.contenders.help": "rnn：普通 tanh 循环神经网络 · clipped_rnn：同一个 RNN，梯度范数被裁剪 · "
    "lstm：带门控、加性的细胞状态 · gru：带门控、插值的状态 · "
    "feedforward：没有循环，只看最后 k 个输入的多层感知机（高级：窗口）",
    "control.seeds": "种子数量",
    "control.seeds.help": "一个种子只是一则轶事。设多个种子时，每个参赛模型按每个种子（seed、seed + 1、……）各训练一次，"
    "图表画出中位数和一条带：三个种子以内是最小到最大的范围，四个起是中间一半。",
    "control.advanced": "高级",
    "control.hidden": "隐藏单元数",
    "control.equal_params": "参数量相等",
    "control.equal_params.help": "缩小 LSTM 和 GRU 的隐藏层，使任何参赛模型的权重都不多于 RNN。",
    "control.lr": "学习率",
    "control.optimizer": "优化器",
    "control.batch": "批大小",
    "control.clip": "裁剪阈值（clipped_rnn）",
    "control.clip.help": "只要梯度范数大于该值，clipped_rnn 就把梯度缩放到这个范数（Pascanu 等，2013）。",
    "control.init_scale": "循环权重初始化尺度（第 0 步的 ρ）",
    "control.init_scale.help": "循环权重初始为正交矩阵乘以该值：1 保持范数，大于 1 容易引发梯度爆炸。",
    "control.forget_bias": "遗忘门偏置（LSTM 遗忘门、GRU 更新门）",
    "control.forget_bias.help": "1（Keras 的默认值）让门一开始就倾向于记住；PyTorch 的默认值是 0。",
    "control.window": "前馈窗口（它能看到的输入个数）",
    "control.window.help": "feedforward 参赛模型是只看最后 k 个输入的多层感知机：没有状态，也不在时间上共享权重。"
    "它的权重随 k 增长；比 k 步更早的线索它根本够不着。",
    "control.seed": "种子",
    "control.seed.help": "权重、批次和验证集都由它决定；有多个种子时，它是第一个。",
    "control.pace": "速度",
    "control.pace.help": "每秒显示的步数。放慢它可以看清梯度爆炸的过程；数字不会变。",
    "pace.full": "全速",
    "pace.rate": "每秒 {rate} 步",
    "button.train": "训练",
    "button.train.help": "持续训练（快捷键 T）。",
    "button.pause": "暂停",
    "button.pause.help": "暂停；已记录的每一步都会保留（快捷键 P）。",
    "button.step": "前进 {steps} 步",
    "button.step.help": "训练 {steps} 步后暂停（快捷键 S）。",
    "button.reset": "重置",
    "button.reset.help": "丢弃本次运行，按当前设置重新开始（处于暂停状态）。",
    # --- 实时面板 ---------------------------------------------------------------------------------------------
    "status.training": "训练中",
    "status.paused": "已暂停",
    "status.line": "**{state}** · **第 {step} 步** · {rate} · 训练时间 {minutes}:{seconds}",
    "status.rate": "每秒 {rate} 步",
    "status.waiting": "正在等待训练名额：前面还有 {ahead} 个运行",
    "status.shared": " · 与另外 {others} 个会话共享",
    "status.help": "训练在独立的进程中进行，只在有页面关注它时运行。设置完全相同的会话共享同一次运行（同样的种子，"
    "同样的数字）；暂停只冻结你自己的视图。想训练的运行多于服务器的核心数时，它们轮流训练。",
    "run_message.not_started": "训练进程没有启动；请按重置。",
    "run_message.stopped": "训练进程已停止；请按重置。",
    "run_message.step_limit": "已在 {limit} 步的上限处暂停。",
    "run_message.all_diverged": "所有参赛模型都已发散：没有可继续训练的了。",
    "charts.first": "按 **训练** 开始（或按 **前进** 训练 25 步）。第一步之后就会出现图表。",
    "chart.loss": "**损失** · {loss_name}",
    "chart.grad_norm": "裁剪前的 **梯度范数**",
    "chart.accuracy": "**准确率**",
    "chart.accuracy.adding": "**准确率**（|误差| < 0.04）",
    "chart.caption": "粗线：验证集（256 个固定样本）；细线：训练批次。虚线：随机水平——{explanation}；在这个验证集上，"
    "随机水平的损失是 {chance}。梯度图上的短竖线标出被裁剪的步。坐标轴边缘的三角形：超出坐标轴的值（损失高于随机水平的 "
    "{ceiling} 倍，梯度范数高于 {grad_ceiling}）；把鼠标移上去可以看到数值。",
    "legend.item": "{key}（{dash}）",
    "dash.solid": "实线",
    "dash.dashed": "虚线",
    "dash.dash-dot": "点划线",
    "dash.dotted": "点线",
    "dash.dash-dot-dot": "双点划线",
    "flow.title": "梯度在输入各时间步上的流动",
    "flow.none": "还没有梯度分布（每个验证步都会测一次）。",
    "flow.caption": "每个输入时间步 t（横轴）对损失还有多大影响，即 ‖∂L/∂xₜ‖，在每个验证步（纵轴）的取值；所有参赛模型"
    "共用一条跨 {decades} 个数量级的对数色标。颜色越往早期的 t（左侧）越淡，说明逐步雅可比矩阵的乘积把梯度缩小了。"
    "{below} 比色标顶端低 {limit} 个数量级以上；{zero} 恰好为 0（梯度在 32 位浮点数中下溢为零；对前馈参赛模型来说，"
    "是它窗口之外的输入，那里根本没有通往输出的路径）。",
    "radius.title": "**循环矩阵的谱半径 ρ**",
    "radius.caption": "LSTM/GRU：取候选状态那一块。ρ > 1：循环矩阵可以一步一步地拉伸状态（以及梯度）——梯度爆炸，"
    "除非 tanh 饱和（那时 diag(tanh′) 缩小了 W 拉伸的部分）。ρ < 1：它把它们缩小——梯度消失。虚线是 ρ = 1；"
    "三角形标出超出坐标轴的值。",
    # --- 图表坐标轴与标签（Altair）--------------------------------------------------------------------------
    "axis.step": "训练步",
    "axis.loss": "损失",
    "axis.accuracy": "准确率",
    "axis.log": "{title}（对数坐标）",
    "axis.grad_norm": "裁剪前的 ‖梯度‖（对数坐标）",
    "axis.radius": "谱半径 ρ（对数坐标）",
    "axis.time": "输入时间步 t",
    "axis.gap": "间隔（需要跨越记住的时间步数，对数坐标）",
    "axis.steps_to_solve": "解决所需步数",
    "axis.adjectives": "“saw” 与名字之间的形容词个数",
    "axis.name_accuracy": "下一个名字的准确率",
    "rule.chance": "随机水平 {value}",
    "rule.clip": "裁剪阈值 {value}",
    "rule.budget": "预算 {value}",
    "rule.last_word": "只看上一个词 {value}",
    "tip.contender": "参赛模型",
    "tip.step": "步",
    "tip.validation": "验证集{title}",
    "tip.beyond": "超出坐标轴",
    "tip.seeds_from": "各种子从",
    "tip.seeds_to": "各种子到",
    "tip.grad": "‖梯度‖",
    "tip.clipped": "被裁剪的步",
    "tip.median_steps": "中位步数",
    "tip.adjectives": "形容词个数",
    # --- 结论卡片与论断 -------------------------------------------------------------------------------------
    "card.no_validation": "还没有验证",
    "card.frozen": "权重冻结在损失或梯度变成 NaN/inf 的那一步",
    "card.val": "验证损失 {loss}（随机水平 {chance}）· 验证准确率 {accuracy}（随机水平 {chance_accuracy}）",
    "card.median": "{count} 个种子的中位数：验证损失 {loss}（随机水平 {chance}）· 验证准确率 {accuracy}（随机水平 "
    "{chance_accuracy}）",
    "card.size": "隐藏单元 {hidden} · {weights} 个权重",
    "card.diverged_count": " · {count} 个发散",
    "card.help": "**未开始**：还没有验证。**学习中**：验证损失比随机水平的损失低 10% 以上（儿童读物：准确率比三分之一"
    "高 7 个百分点以上）。**处于随机水平**：验证损失在随机水平损失（虚线）的 ±10% 以内（儿童读物：准确率在三分之一的 "
    "±7 个百分点以内）。**比随机还差**：比随机水平高 10% 以上（儿童读物：准确率比三分之一低 7 个百分点以上）。"
    "**在第 N 步解决**：至少 90% 的验证答案正确（加法：与和的误差在 ±0.04 以内；儿童读物：宾语的名字）。"
    "**在第 M 步失去**：曾经解决，如今又低于 90%。**在第 N 步发散**：损失或梯度变成了 NaN 或无穷大；权重冻结在那里。",
    "card.seeds_help": " **多个种子时**：*k/K 个种子已解决* 统计的是在最近一次验证时已解决的种子；中位步数是这些种子"
    "第一次解决时的步数。显示的随机水平损失来自第一个种子的验证集。",
    "claim.none": "**这些设置没有论断。** 它们不对应任何预设，所以没有任何承诺：请看卡片和图表。每张卡片给出该参赛模型"
    "在最近一次验证时的数字。",
    "claim.watch": "**要注意看什么** — {watch}",
    "claim.stops": "运行会在第 {steps} 步自动停下，在那里展示并判定论断（现在是第 {step} 步）。先做出预测。",
    "claim.decided": "**在第 {steps} 步判定的论断：** {claim}",
    "claim.agrees": "相符",
    "claim.differs": "与论断不符",
    "claim.not_part": "不在论断之内",
    "claim.later": "论断是在第 {steps} 步作出的；运行已经继续到第 {step} 步，所以卡片现在可能说得更多。",
    "numbers.nan": "损失或梯度为 NaN/inf",
    "numbers.val": "验证损失 {loss}（随机水平 {chance}），验证准确率 {accuracy}",
    # --- 解说：只有这次运行的数字显示出某个机制时才说 ---------------------------------------------------------
    "gate.lstm": "遗忘门 f",
    "gate.gru": "更新门 z",
    "figure.reach": "t = 0 处的梯度：{where} × t = {last} 处的梯度",
    "figure.zero_window": "恰好为 0（在窗口之外）",
    "figure.zero_underflow": "恰好为 0（下溢）",
    "figure.radius": "ρ = {value}",
    "figure.gate": "平均{gate} {value}",
    "story.exactly_zero": "恰好为 0",
    "story.vanished": "**为什么 RNN 学不会：** 到达 t = 0 的梯度只有 t = {last} 处的 {reach}（{key}）：它是 {last} 个"
    "逐步因子 diag(tanh′(aₜ)) · W 的乘积，已被指数级地缩小（梯度消失），所以早期的输入几乎推不动权重。",
    "story.stretched": "**为什么 ρ = {radius} > 1，梯度却仍然消失了（{key}）：** W 可能在每一步拉伸梯度，但在 tanh "
    "饱和的地方（|aₜ| 很大）tanh′ ≈ 0，对角因子缩小的比 W 拉伸的更多。",
    "story.clipping": "**为什么一个发散了，另一个没有：** 两者从同样的权重出发，ρ = {scale}，所以梯度每往回传一步就"
    "变大一些（梯度爆炸）。普通 RNN 完整地走了这样一步，权重在第 {step} 步变成了 NaN/inf；clipped_rnn 的梯度只要"
    "大于 {clip} 就被缩放到这个范数（梯度裁剪），所以它的每一步都保持很小。",
    "story.forgets": "**为什么 {key} 在这里会忘记：** 它的{gate}平均为 {mean}，所以线索的痕迹每一步大约乘以这个数："
    "{mean}^{gap} ≈ {trace}（经过 {gap} 步后）。门偏置为 {bias} 时，门一开始接近 σ({bias}) = {start}。"
    "普通 RNN 没有这样的门：它的痕迹每一步乘以的是 diag(tanh′)·W，在正交权重下（开始时 ρ = 1）不一定会缩小。",
    "story.remembers": "**为什么 {key} 记得住：** 它的{gate}平均为 {mean}，所以状态几乎原封不动地被带过每一步"
    "（经过 {gap} 步后 {mean}^{gap} ≈ {trace}，而门为 0.5 时是 0.5^{gap} ≈ {half}）。",
    # --- 一般理论 -------------------------------------------------------------------------------------------
    "theory.title": "一般理论：梯度消失与梯度爆炸，以及每一种补救办法",
    "theory.task": "**这个任务 — {name}**（{variant}）。一个样本：",
    "theory.text": r"""
**短间隔很容易。** “the clouds are in the ___”（云在 ___ 里）：决定答案的词（*clouds*，云）只在两步之前，
每个参赛模型都能离开随机水平线（预设 *short_gap*）。

**长间隔就难了。** “I grew up in France … *（许多词）* … I speak fluent ___”（我在法国长大……我能说流利的 ___）：
决定答案的词在很远之前。要从它学习，误差信号必须往回穿过中间的每一步。

**为什么信号会消失或爆炸。** tanh 循环神经网络的更新是 $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$。
到达第 $t-k$ 步的梯度是 $k$ 个雅可比矩阵的乘积：

$$\frac{\partial h_t}{\partial h_{t-k}} = \prod_{j=0}^{k-1} \operatorname{diag}\big(\tanh'(a_{t-j})\big)\, W_{hh}$$

每个因子要么缩小一个向量（若 $\rho(W_{hh}) < 1$ 或 tanh 饱和，$\tanh' \le 1$），要么拉伸它（若 $\rho(W_{hh}) > 1$），
所以乘积随 $k$ **指数级地**缩小（梯度消失）或增长（梯度爆炸）。
→ *梯度流动* 热图：乘积缩小的地方，颜色往左越来越淡，比右边缘低好几个数量级（预设 *vanishing* 中 RNN 从最初几步起就是这样）。
→ *谱半径* 图：ρ = 1 这条线把“逐渐消失”和“逐渐增长”分开。

**梯度裁剪** 在梯度范数超过阈值时缩放整个梯度：$g \leftarrow g \cdot \min(1, \theta / \lVert g \rVert)$。
它防止某一次巨大的更新毁掉权重（预设 *exploding*）。它无法让已经消失的梯度重新变大：方向仍然由最近的几步主导
（预设 *vanishing*：梯度裁剪救不了 RNN）。
→ *梯度范数* 图：短竖线标出被裁剪的步；虚线是阈值。

**门控** 给状态一条加性的通路。长短期记忆网络（LSTM）保留一个细胞状态 $c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t$；
当遗忘门 $f_t \approx 1$ 时，$\partial c_t / \partial c_{t-1} \approx 1$，梯度几乎不变地往回传。门控循环单元（GRU）
用插值 $h_t = (1 - z_t) \odot \tilde h_t + z_t \odot h_{t-1}$ 达到同样的效果。
→ *损失* 图：梯度仍能到达决定性那一步的模型，才能离开随机水平线。哪些模型做得到，取决于间隔和初始化
（比较预设 *vanishing*、*short_gap* 和 *recall*）。

**初始化也是一种补救。** 正交的循环权重（ρ = 1）在开始时保持范数；遗忘门偏置 b 让 LSTM 的遗忘门一开始接近 σ(b)：
b = 1 时为 0.73（Keras 的默认值，也是本实验室的），b = 3 时为 0.95。PyTorch 的默认值是 0：接近 σ(0) = 0.5 的门
每一步把线索的痕迹减半，于是在预设 *recall* 中 LSTM 停在随机水平，而偏置为 3 时（预设 *recall_init*）它能解决同一个任务。
在 *高级* 中修改它们，再按重置来比较。
""",
    # --- URL 与语言警告 -------------------------------------------------------------------------------------
    "warning.mode": "URL 参数 `mode`：{value} 不是 {choices} 之一。",
    "warning.unknown": "已忽略未知的 URL 参数 {key}。",
    "warning.contenders": "URL 参数 `contenders`：已忽略 {values}；参赛模型有 {choices}。",
    "warning.value": "URL 参数 `{key}`：{problem}。改用默认值 {default}。",
    "warning.lang": "URL 参数 `lang`：“{value}” 不是 {choices} 之一；改用浏览器的语言。",
    "url.not_one_of": "{value} 不是 {choices} 之一",
    "url.choose_one": "请至少选择 {choices} 中的一个",
    "url.not_bool": "{value} 不是 true 或 false",
    "url.not_whole": "{value} 不是整数",
    "url.not_number": "{value} 不是数字",
    "url.outside": "{value} 超出了 {low} 到 {high} 的范围",
    "error.no_contenders": "参赛模型：请至少选择 {choices} 中的一个",
    "error.repeated_contender": "参赛模型：每个参赛模型只能出现一次",
    "error.last_seed": "seed + seeds − 1 最大为 {high:,}，得到的是 {value:,}",
    "error.choice": "未知的 {name} {value!r}；请从以下选择：{choices}",
    "error.whole_number": "{name} 必须是 {low} 到 {high} 之间的整数，得到的是 {value}",
    "error.number": "{name} 必须是 {low} 到 {high} 之间的有限数，得到的是 {value}",
    "error.gaps_format": "间隔必须是用逗号分隔的整数，得到的是 “{value}”",
    "error.gaps_range": "间隔必须是 {low} 到 {high} 之间的整数",
    "error.gaps_count": "一次最多 12 个间隔",
    # --- 扫描页 ---------------------------------------------------------------------------------------------
    "sweep.title": "临界点扫描",
    "sweep.caption": "每种架构在哪里学不动了？每个参赛模型在每个间隔上、每个种子各训练到同样的预算，图表显示它被解决"
    "（90% 的验证答案正确）时的步数：找出某个参赛模型从哪个间隔起不再能解决任务，再看它所需的步数是否随间隔增长"
    "（Hochreiter 与 Schmidhuber，1997；Arjovsky 等，2016）。",
    "sweep.task": "任务",
    "sweep.gaps": "间隔（用逗号分隔）",
    "sweep.seeds": "种子数",
    "sweep.budget": "预算（步）",
    "sweep.run": "开始扫描",
    "sweep.start": "选择任务、间隔和种子数，然后按 **开始扫描**。以前扫描过的间隔会立即画出。",
    "sweep.progress": "已完成 {done}/{total} 个间隔",
    "sweep.training": "间隔 {gap}：第 {step}/{budget} 步",
    "sweep.seeds_range": "种子 {first}–{last}",
    "sweep.seed_one": "种子 {seed}",
    "sweep.chart_caption": "{task}，每个间隔上用{seeds}，每次 {budget} 步，其他设置为默认值。点：解决了它的那些种子"
    "第一次解决时步数的中位数；竖线：它们的范围。顶部的叉：在预算内没有任何种子解决它。在终端里做同样的扫描：",
    "sweep.table": "表格",
    "sweep.column.contender": "参赛模型",
    "sweep.column.gap": "间隔",
    "sweep.column.steps": "中位步数",
    "sweep.column.low": "最快",
    "sweep.column.high": "最慢",
    "sweep.column.solved": "已解决的种子",
    "sweep.column.label": "结果",
    "sweep.column.seeds": "种子数",
    "sweep.label": "{seeds} 个种子中有 {solved} 个解决了它",
    # --- 儿童读物 -------------------------------------------------------------------------------------------
    "book.title": "儿童读物",
    "book.notes": "讲义用一个儿童读物生成器来讲 RNN 的原理，它在这样的句子上训练：**“Doug saw Jane. Jane saw Spot. "
    "Spot saw Doug.”**（Doug 看见了 Jane。Jane 看见了 Spot。Spot 看见了 Doug。）它犯的错误说明了没有记忆的网络会怎样："
    "**“Doug saw Doug.”**（*saw* 后面的名字是在不知道谁在看的情况下选的）和 **“Jane saw Spot saw Doug saw …”**"
    "（不知道一句话已经结束）。",
    "book.more": "模型在这里学的是什么，以及为什么讲义原来的语料太简单",
    "book.more.text": "只看上一个词的模型无法知道是谁在看：在 *saw* 之后，它说出 Doug、Jane 或 Spot 的次数一样多，所以"
    "**三个宾语中只有一个是对的**——恰好如此，无论用什么训练它。这就是准确率图上的虚线。讲义中原样的语料，任何循环网络"
    "都能学会：主语只在两个词之前。\n\n所以本页在 *saw* 与宾语之间插入 **0 到 G 个形容词**（G 是下面的设置）："
    "“Doug saw big red happy Jane.” 每个宾语都是 **循环 Doug → Jane → Spot → Doug 中主语的下一个名字**；主语和形容词"
    "都是随机的。模型逐词读入一连串句子，预测每一个下一个词。只有宾语取决于更早的某个词——主语，在 n + 2 个词之前——"
    "所以准确率只在那里计分：在三个名字中，模型认为最可能的那个对不对？损失把每个词都算进去，而其中大多数词没有模型能"
    "预测（下一个主语、形容词），所以损失变化不大；结论跟随准确率。",
    "book.gap": "G：“saw” 与名字之间最多几个形容词",
    "book.gap.help": "每个句子有 0 到 G 个形容词，均匀分布。G = 30 时，普通 RNN 很少能在 1,500 步内学会这条规则，而 LSTM 和 GRU 能学会；G = 10 时它也能学会。",
    "book.seed": "种子",
    "book.distance": "谁能说出正确的宾语（按距离）",
    "book.distance.caption": "在最近一次验证时：模型认为最可能的名字就是正确宾语的比例，按 *saw* 与名字之间隔了多少个"
    "形容词来分。一条平贴在虚线上的线对主语一无所知；记得住的模型无论形容词串多长都保持在高处。",
    "book.written": "它们写出的句子（第 {step} 步）",
    "book.written.caption": "每 {every} 步，每个模型从一个随机的名字开始写三个样本，一次一个词，每个词都从它自己的预测中"
    "抽取（所以一个模型若给错误的名字 10% 的把握，大约每 10 次就会写出它一次）。四个模型掷的是同样的骰子：它们的句子在哪里"
    "分开，它们的判断就在哪里不同。✓ 宾语是主语的下一个名字；✗ 不是，或者那根本不是一个句子。",
    "book.adjectives": "……（{count} 个形容词）",
    # --- 引擎的记录：结论、补救办法、任务 --------------------------------------------------------------------
    "verdict.not_started": "未开始",
    "verdict.learning": "学习中",
    "verdict.at_chance": "处于随机水平",
    "verdict.worse_than_chance": "比随机还差",
    "verdict.solved": "在第 {step} 步解决",
    "verdict.solved_again": "在第 {step} 步再次解决",
    "verdict.lost": "在第 {solved_step} 步解决，在第 {step} 步失去",
    "verdict.diverged": "在第 {step} 步发散",
    "verdict.tally": "{total} 个种子中 {solved} 个已解决",
    "verdict.tally_median": "{total} 个种子中 {solved} 个已解决，中位步数 {median}",
    "remedy.rnn": "普通 tanh 循环神经网络：没有补救",
    "remedy.clipped_rnn": "同一个 RNN，梯度裁剪",
    "remedy.lstm": "门控 + 加性的细胞状态（长短期记忆网络）",
    "remedy.gru": "门控 + 插值的状态（门控循环单元）",
    "remedy.feedforward": "没有循环：只看最后 k 个输入的多层感知机",
    "task.adding.name": "加法",
    "task.adding.variant": "U[0,1] 的数值，前后两半各有一个标记（Le 等，2015；Arjovsky 等，2016）",
    "task.adding.loss": "均方误差",
    "task.adding.baseline": "总是回答 1：均方误差 1/6 ≈ 0.167（只记住一个数时 ≈ 0.083）",
    "sample.adding": "{length} 个随机数；标记在 {marked}。最后的答案是它们的和，{answer}。",
    "task.copy.name": "复制",
    "task.copy.variant": "复制记忆：从 8 个符号中取 10 个，然后 gap−1 个空白、一个分隔符、10 个空白（Arjovsky 等，2016）",
    "task.copy.loss": "交叉熵（奈特）",
    "task.copy.baseline": "先写空白，再瞎猜：损失 10·ln 8 / (gap + 20)，准确率 1/8",
    "sample.copy": "符号 {shown}，然后是 {blanks} 个空白和一个分隔符 ':'。分隔符之后，答案就是同样这十个符号：{shown}。",
    "task.recall.name": "回忆",
    "task.recall.variant": "记住第一个符号（Hochreiter 与 Schmidhuber，1997，实验 2）：4 个线索中的 1 个，然后是 gap 个"
    "填充词",
    "task.recall.loss": "交叉熵（奈特）",
    "task.recall.baseline": "猜一种语言：损失 ln 4 ≈ 1.386，准确率 25%",
    "sample.recall": "I grew up in {cue}（我在这个国家长大）。{shown}（共 {count} 个词）。I speak fluent …（我能说流利的……）"
    "{answer}。",
    "task.temporal_order.name": "时间顺序",
    "task.temporal_order.variant": "任务 6a（Hochreiter 与 Schmidhuber，1997）：第 0–4 步和第 5–9 步中各有 X 或 Y，"
    "然后是 gap 个干扰符号",
    "task.temporal_order.loss": "交叉熵（奈特）",
    "task.temporal_order.baseline": "猜顺序：损失 ln 4 ≈ 1.386，准确率 25%",
    "sample.temporal_order": "{head} ……之后还有 {count} 个干扰符号。答案是 X/Y 出现的顺序：{answer}。",
    "task.book.name": "儿童读物",
    "task.book.variant": "讲义中的儿童读物：主语、'saw'、0…gap 个形容词、循环 Doug→Jane→Spot→Doug 中的下一个名字、'.'；"
    "预测下一个词，只在宾语的名字上计分",
    "task.book.loss": "下一个词的交叉熵（奈特）",
    "task.book.baseline": "只看上一个词的模型（二元语法）：宾语的名字是三选一的猜测，三次中只对一次（'Doug saw Doug.' "
    "和 'Doug saw Jane.' 一样常见）",
    "sample.book": "{sentences} 每个宾语都是循环 Doug→Jane→Spot→Doug 中主语的下一个名字。",
    # --- 预设 -----------------------------------------------------------------------------------------------
    "preset.why_recurrence.title": "为什么要循环：10 个输入的窗口对比一个状态",
    "preset.why_recurrence.exercise": "国家最先出现，问题在 20 个词之后。前馈网络只看最后 10 个输入；RNN 一次读一个输入，"
    "并保持一个状态。\n预测谁能记住，然后按训练。",
    "preset.why_recurrence.watch": "准确率图与 25% 的对比，以及前馈网络的梯度流动热图：它窗口的左边是灰色（恰好为 0）。"
    "RNN 在每一步使用同样的权重，并携带一个状态 h_t = tanh(W_xh x_t + W_hh h_t−1 + b)，所以 20 步之前看到的东西仍然"
    "能影响 h；窗口网络对它的 10 个位置各有一套权重，而对更早的输入一无所有。",
    "preset.why_recurrence.claim": "前馈窗口停在随机水平：国家在 20 步之前，在它看到的 10 个输入之外，再怎么训练也够不着"
    "（它在那里的梯度恰好为 0）。RNN 的权重比窗口网络还少，却记住了它。",
    "preset.vanishing.title": "梯度消失：加法，间隔 50",
    "preset.vanishing.exercise": "要把相隔最多 50 步的两个数加起来。谁能降到虚线（随机水平线）以下？\n"
    "先预测，然后按训练，并观察梯度流动热图。",
    "preset.vanishing.watch": "损失图上的随机水平线，以及梯度流动热图：对每个参赛模型，颜色能到达 t = 0（左侧）吗？",
    "preset.vanishing.claim": "到第 1,000 步时，GRU 解决了它，LSTM 已经离开随机水平线（它稍后解决；在某些种子上它的平台期"
    "更长）。两个 RNN 都学不会，无论是否梯度裁剪：它们都停留在随机水平线上或之上。",
    "preset.short_gap.title": "短间隔：加法，间隔 10",
    "preset.short_gap.exercise": "同样的任务，但两个数相隔最多 10 步。普通 RNN 现在能应付吗？\n先预测，然后按训练。",
    "preset.short_gap.watch": "每条损失降到随机水平线以下多远、多快。The clouds are in the *sky*（云在天上）："
    "短间隔很容易。",
    "preset.short_gap.claim": "间隔短时，每个参赛模型都在 1,000 步内离开随机水平线，LSTM 和 GRU 解决了它：the clouds "
    "are in the *sky*。普通 RNN 也能学会，只是更慢。",
    "preset.exploding.title": "梯度爆炸：循环权重 × 2，普通 SGD",
    "preset.exploding.exercise": "循环权重一开始的谱半径是 2。哪个参赛模型会爆炸，梯度裁剪又救了哪个？\n"
    "先预测，然后按训练，并观察梯度范数图（开始时每秒 10 步）。",
    "preset.exploding.watch": "梯度范数图：几步之内就上升好几个数量级的范数就是梯度爆炸。短竖线标出梯度被裁剪到阈值的步。",
    "preset.exploding.claim": "普通 RNN 的梯度爆炸，它在大约 40 步内发散（损失或梯度变成 NaN/inf）；梯度裁剪后的 RNN，"
    "同样的权重、同样的批次，继续训练。梯度裁剪阻止了爆炸；它并不能教会模型跨越间隔。",
    "preset.copy.title": "复制：跨越间隔 10 的十个符号",
    "preset.copy.exercise": "停顿之后要把十个符号写回来。谁能降到无记忆基线以下？\n先预测，然后按训练（这个要几分钟）。",
    "preset.copy.watch": "损失：四个模型先都学会写空白再瞎猜（无记忆基线），损失在下降，却对符号一无所学。然后看谁离开"
    "那条线。",
    "preset.copy.claim": "到第 2,000 步时，GRU 已离开无记忆基线（它回忆出的符号比瞎猜多）；两个 RNN 仍停在线上。还没有谁"
    "能复制全部十个：十个各三比特的符号，对 32 个单元来说太多了。",
    "preset.recall.title": "回忆：I grew up in France … I speak fluent French",
    "preset.recall.exercise": "国家最先出现，问题在 20 个词之后。门使用 PyTorch 的默认偏置 0。\n预测谁能记住，"
    "然后按训练。",
    "preset.recall.watch": "准确率图：谁离开了 25%（在四种语言中瞎猜）？然后看解说中 LSTM 的平均遗忘门。",
    "preset.recall.claim": "出人意料：两个普通 RNN 在 50 步内记住了国家，GRU 稍晚一些，而遗忘门偏置为 0 的 LSTM 停在随机"
    "水平。初始化起决定作用；请看下一个预设。",
    "preset.recall_init.title": "门记得住的回忆：遗忘门偏置 3",
    "preset.recall_init.exercise": "同样的回忆任务，但 LSTM 的遗忘门和 GRU 的更新门一开始接近 1。\n预测 LSTM 能否恢复，"
    "然后按训练。",
    "preset.recall_init.watch": "LSTM 的准确率，以及解说中它的平均遗忘门，与上一个预设对比。",
    "preset.recall_init.claim": "门偏置为 3 时，门从一开始就保留线索：四个模型都在 300 步内解决了它，LSTM 也不例外。",
    "preset.temporal_order.title": "时间顺序：X 在 Y 之前，50 步之前",
    "preset.temporal_order.exercise": "X 或 Y 在前十步中出现两次；50 个干扰符号之后，问哪个先出现？\n预测谁能分辨 XY "
    "和 YX，然后按训练。",
    "preset.temporal_order.watch": "准确率图与 25%（在 XX、XY、YX、YY 中瞎猜）的对比，以及前十步（标记所在的位置）上的"
    "梯度流动热图。",
    "preset.temporal_order.claim": "在 1,000 步内 GRU 解决了它，LSTM（遗忘门偏置 1）停在随机水平：这里它的平台期比预算"
    "还长。普通 RNN 充其量学到一点点；梯度裁剪后的 RNN 在多数种子上停在随机水平，但在一些种子上开始学会它。",
    "preset.book.title": "儿童读物：谁看见了谁，最多隔 30 个形容词",
    "preset.book.exercise": "Doug saw Jane. Jane saw Spot. Spot saw Doug. 现在 'saw' 与名字之间最多有 30 个形容词。\n"
    "预测谁仍能说出正确的名字，然后按训练（大约一分钟）。",
    "preset.book.watch": "准确率图与虚线三分之一（只看上一个词的模型）的对比、按距离的准确率，以及每个模型写出的句子："
    "它还会写 'Doug saw Doug.' 吗？",
    "preset.book.claim": "到第 1,250 步时，LSTM 和 GRU 能说出正确的宾语（至少 90% 的验证句子，GRU 只用几百步）；普通 tanh "
    "RNN 没有解决它：在大多数种子上它说对的次数多于三分之一，但并不可靠。",
}
