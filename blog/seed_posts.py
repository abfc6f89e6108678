"""Original demo posts for `seed_demo`. Written for PrepNexus; no test content is reproduced."""

# (slug, title, tags, cover image, cover alt, state, days from now to publish, summary, body)
# state is "published", "scheduled" or "draft".
POSTS = [
    (
        "pacing-the-digital-sat",
        "Pacing the Digital SAT: a minute-by-minute plan",
        ["Pacing", "Test day"],
        "img/blog/pacing.svg",
        "A clock face beside three progress bars filling at different speeds.",
        "published",
        -40,
        "Reading and Writing gives you about 71 seconds a question and Math about 95. Here is how to spend "
        "them without staring at the clock.",
        """Every module on the Digital SAT has its own clock, so a slow start in one module never steals
time from the next. That is good news, but it also means each module needs its own plan.

## The numbers

| Section | Module length | Questions per module | Average per question |
|:--|--:|--:|--:|
| Reading and Writing | 32 min | 27 | about 71 s |
| Math | 35 min | 22 | about 95 s |

An average is not a target for every question. Short vocabulary-in-context items often take 30 seconds;
a dense data question can take two minutes. What matters is where you are at a few checkpoints.

## Checkpoints instead of a stopwatch

1. **A third of the way in** (question 9 in Reading and Writing, 7 or 8 in Math) you should have used
   no more than a third of the time.
2. **At two thirds**, do the same check. If you are behind, this is the moment to flag and move rather
   than to fight one question.
3. **With five minutes left**, stop starting long questions. Make sure every question has an answer:
   there is no penalty for guessing.

## Flag, don't freeze

The test lets you move back and forth within a module. Use that. If a question has not cracked after
your first honest attempt, pick your best answer, flag it and keep going. You will come back with a fresher
head and, often, a clue from a later question.

> A blank answer scores the same as a wrong one. A guess has at least a one-in-four chance.

## Practise the habit

In PrepNexus, timed practice uses the real per-question pacing. Try one timed set a week and look at where
your time went, not just at your score.
""",
    ),
    (
        "no-penalty-for-guessing",
        "Why you should answer every question",
        ["Scoring", "Test day"],
        "",
        "",
        "published",
        -34,
        "The Digital SAT never takes points away for a wrong answer. That one fact should change how you "
        "finish every module.",
        """Some older tests subtracted a fraction of a point for each wrong answer, and the advice
to "leave it blank if you are unsure" still floats around. It does not apply to the Digital SAT.

## What a blank costs you

A blank answer is simply wrong. A guess on a four-option question is right about a quarter of the time,
and much more often if you can rule out even one option.

## Eliminate first, then guess

- Cross out choices that contradict the passage or the maths you have already done.
- In Math, plug the remaining choices back in when the algebra is slow.
- In Reading and Writing, prefer the choice that says *less*: extreme words such as *always* or *proves*
  are harder to support.

## The last five minutes

When the timer shows five minutes, go through the module's question map and make sure no question is
unanswered. Then spend whatever is left on the flagged questions you were closest to solving.
""",
    ),
    (
        "student-produced-responses",
        "Student-produced responses: entering answers the test will accept",
        ["Math", "Scoring"],
        "img/blog/math.svg",
        "A parabola and a straight line crossing at two marked points on a grid.",
        "published",
        -27,
        "About a quarter of Math questions have no answer choices. A few entry rules decide whether a "
        "correct answer counts.",
        """Student-produced response (SPR) questions ask you to type your answer. The maths is the same as
in multiple choice, but the way you enter the answer matters.

## The rules that trip people up

- A positive answer can use up to **5 characters**; a negative one up to **6**, because the minus sign
  counts.
- Fractions and decimals are both fine, and equivalent forms match: `3/4`, `.75` and `0.75` are the
  same answer.
- **Mixed numbers are not accepted.** Enter `7/2` or `3.5`, never `3 1/2`.
- Do not type `$`, `%` or thousands separators.
- If a decimal is too long for the box, round or truncate it, but fill the box.

## Check before you move on

A quick routine catches most entry mistakes:

```text
1. Re-read what the question asks for (x? 2x? the total?).
2. Check the sign.
3. Check the units: dollars or cents, minutes or hours.
4. Make sure the answer fits the box rules above.
```

## When several answers work

Some questions have more than one correct answer, for example any value in a range. Entering any one of
them is enough, so choose the simplest.
""",
    ),
    (
        "reading-short-passages",
        "Short passages, sharp reading",
        ["Reading and Writing", "Strategy"],
        "img/blog/reading.svg",
        "An open book with one line highlighted.",
        "published",
        -20,
        "Every Reading and Writing question comes with its own short passage. Reading each one with a "
        "clear question in mind saves time and points.",
        """On the Digital SAT, each Reading and Writing question has its own passage of roughly 25 to
150 words. There is no long passage to memorise, but there is also no warm-up: every question starts cold.

## Read the question first

Glance at the question before the passage. Knowing whether you are looking for a main idea, a word's
meaning or the best transition tells you what to notice while you read.

## Predict before you look at the choices

Put the answer in your own words first. Then find the choice that matches your prediction. This keeps
attractive but unsupported choices from pulling you in.

## Watch for the shape of the argument

Many passages follow a simple pattern:

1. a claim or an observation,
2. a complication or a counterpoint,
3. a conclusion.

Questions about purpose and structure often ask which of these roles a sentence plays.

## Evidence questions

When a question asks which finding would *support* or *weaken* a claim, restate the claim in one short
sentence first. The right choice connects directly to that sentence, not to the topic in general.
""",
    ),
    (
        "grammar-rules-that-matter-most",
        "The grammar rules that matter most",
        ["Reading and Writing", "Grammar"],
        "",
        "",
        "published",
        -14,
        "Standard English Conventions is about a quarter of Reading and Writing. A handful of rules cover "
        "most of it.",
        """Standard English Conventions questions look alike: one sentence with a blank and four ways to fill
it. The good news is that a small set of rules decides most of them.

## Sentence boundaries

Two complete sentences need more than a comma between them. Use a period, a semicolon, or a comma plus a
conjunction such as *and* or *but*.

| Joins two complete sentences? | Example connector |
|:--|:--|
| Yes | `.` `;` `, and` `, but` |
| No | `,` alone |

## Subject and verb agreement

Find the real subject, ignoring the phrases between it and the verb. *The list of practice questions*
**is** long, because the subject is *list*.

## Punctuation around extra information

Information the sentence could lose is set off with a matching pair: two commas, two dashes or two
parentheses. Mixing a comma with a dash is a classic wrong choice.

## Practise in short bursts

These rules stick best with frequent, short practice. Ten conventions questions a day for a week will do
more than one long session.
""",
    ),
    (
        "adaptive-modules-explained",
        "How the adaptive modules work, and what it means for you",
        ["Scoring", "Strategy"],
        "",
        "",
        "published",
        -7,
        "The second module of each section depends on how the first one went. Understanding that takes "
        "the mystery, and some of the stress, out of test day.",
        """The Digital SAT is *multistage adaptive*. Each section has two modules. The first mixes easy,
medium and hard questions; the second is easier or harder depending on your first-module performance.

## What it means in practice

- **Module 1 matters.** Careful, accurate work in the first module opens the harder second module,
  where the highest scores are possible.
- **A hard second module is good news.** If module 2 feels tougher, that usually means module 1 went
  well.
- **Each section routes on its own.** A rough Reading and Writing module does not affect your Math
  routing.

## Not every question counts the same

Scores come from a statistical model that considers which questions you answered correctly, not only how
many. You cannot tell which questions matter more while you are testing, so give every question an honest
attempt and keep moving.

## How PrepNexus uses the same idea

PrepNexus estimates your ability from every answer and chooses practice questions near that level, so
your practice time goes where it helps most.
""",
    ),
    (
        "build-a-study-plan",
        "Build a study plan that survives a busy week",
        ["Study habits", "Strategy"],
        "",
        "",
        "published",
        -2,
        "A realistic plan beats an ambitious one. Here is a weekly rhythm that fits around school, work "
        "and everything else.",
        """The best study plan is the one you still follow in week five. Start smaller than you think you
should, and make it routine.

## A weekly rhythm

| Day | Focus | Time |
|:--|:--|--:|
| Monday | Weakest Math skill | 25 min |
| Tuesday | Grammar and punctuation | 20 min |
| Wednesday | Review of missed questions | 20 min |
| Thursday | Weakest reading skill | 25 min |
| Friday | Flashcards | 10 min |
| Weekend | One timed module | 35 min |

## Review beats volume

Missed questions are the most valuable questions you have. PrepNexus brings them back on a spaced
schedule, just before you would forget them. Answer them again rather than rereading the explanation.

## Track one number

Pick one measure, such as your predicted score or the number of skills at *proficient*, and look at it
once a week, not after every session.
""",
    ),
    (
        "calculator-strategy",
        "Calculator strategy: when to use it and when to put it down",
        ["Math", "Strategy"],
        "",
        "",
        "scheduled",
        5,
        "A graphing calculator is available for the whole Math section. Knowing when it saves time, and "
        "when it wastes it, is a skill of its own.",
        """A built-in graphing calculator is available throughout the Math section, and you may bring an
approved one of your own. It is a powerful tool, but it is not always the fastest.

## Where it shines

- **Systems of equations:** graph both and read off the intersection.
- **Quadratics:** find zeros and the vertex without completing the square.
- **Checking answers:** substitute a choice and confirm in seconds.

## Where it slows you down

Simple arithmetic, rearranging an equation, or spotting that two expressions are equal is often faster in
your head or on scratch paper.

## Practise with the same tool

Whatever calculator you will use on test day, use it in practice now, so its menus are second nature.
""",
    ),
    (
        "test-day-checklist",
        "Your test-day checklist",
        ["Test day"],
        "",
        "",
        "draft",
        None,
        "Everything to check the week before, the night before and the morning of the test.",
        """*Draft: still being written.*

## The week before

- Confirm your test centre and start time.
- Make sure your device is charged and updated.

## The night before

- Pack your admission ticket, photo ID and an approved calculator.
- Sleep. A rested brain is worth more than one more practice set.
""",
    ),
]
