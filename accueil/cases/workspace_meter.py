"""The plain-language meter as the agent sees it while writing a reply.

The scores come from ``accueil.lib.readability``: the headline (English: Flesch–Kincaid grade,
lower is plainer; French: Kandel–Moles reading ease, higher is plainer), whether it meets the
agency's target (``DEFAULT_TARGET`` until agencies set their own), and the sentences that pull
it down — only those that miss the target on their own, worst first, so a plain text lists none.
"""

from accueil.lib.readability import DEFAULT_TARGET, Target, measure

HARDEST_SHOWN = 3
SHORTEST_NAMED = 4  # "Merci." scores below 60 on its own, but pulls nothing down


def meter_context(text: str, language: str, target: Target = DEFAULT_TARGET) -> dict:
    report = measure(text, language)
    score = report.headline
    every = [s for s in report.hardest_sentences(report.sentences) if s.words >= SHORTEST_NAMED]
    if language == "en":
        goal = target.max_grade_en
        hard = [s for s in every if s.score > goal][:HARDEST_SHOWN]
    else:
        goal = target.min_ease_fr
        hard = [s for s in every if s.score < goal][:HARDEST_SHOWN]
    return {
        "language": language,
        "empty": score is None,
        "score": round(score, 1) if score is not None else None,
        "goal": goal,
        "meets": report.meets(target),
        "hardest": [{"text": s.text, "score": round(s.score, 1)} for s in hard],
        "words": report.words,
        "sentences": report.sentences,
    }
