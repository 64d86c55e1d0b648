"""Evidence for general topics that sit next to the specialised domains and borrow
their words: economics ('interest rate', 'unemployment'), politics and international
relations ('sovereignty', 'treaty'), history, philosophy and ethics ('moral law'),
sociology, astronomy and everyday requests. Weights stay modest: this evidence only
has to outweigh a stray specialised word, never a specialised query."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern

_ECONOMY = {
    "gdp": 3, "macroeconomics": 3, "microeconomics": 3, "macroeconomic": 3, "tariff": 2.5,
    "tariffs": 2.5, "exports": 2, "imports": 1, "aggregate": 1, "demand": 1, "supply": 1,
    "market": 1, "markets": 1, "investment": 1.5, "investors": 1.5, "stock": 0.5,
    "stocks": 1.5, "banking": 2, "currency": 2, "bitcoin": 2.5, "cryptocurrency": 2.5,
    "deflation": 2.5, "deflator": 3, "keynesian": 3, "unemployment rate": 4,
    "interest rates": 3, "interest rate": 1.5, "central bank": 4, "federal reserve": 4,
    "money supply": 4, "supply and demand": 4, "price level": 3, "stock market": 4,
    "income inequality": 4, "consumer spending": 3, "gross domestic": 4, "trade deficit": 4,
    "opportunity cost": 3, "business cycle": 4, "economic growth": 3,
}

_POLITICS_AND_HISTORY = {
    "democracy": 2, "democratic": 1.5, "democrats": 2, "republicans": 2, "voters": 1.5,
    "diplomacy": 2.5, "diplomatic": 1, "nuclear": 1.5, "terrorism": 1.5, "terrorist": 1.5,
    "military": 1.5, "army": 1.5, "soldiers": 1.5, "battle": 2, "globalization": 2.5,
    "nato": 2.5, "revolution": 2, "revolutionary": 2, "colonial": 2, "colonies": 2,
    "colonization": 2.5, "kingdom": 1.5, "medieval": 2.5, "renaissance": 2.5,
    "reformation": 2, "enlightenment": 2, "slavery": 1.5, "slaves": 1.5,
    "abolitionist": 2, "abolitionists": 2, "monarchy": 2, "communist": 2, "communism": 2.5,
    "capitalism": 2.5, "socialism": 2.5, "socialist": 2, "ideology": 2.5, "nationalism": 2.5,
    "imperialism": 2.5, "propaganda": 2, "archaeological": 3, "archaeologist": 3,
    "archaeologists": 3, "hominid": 3, "hominids": 3, "neanderthal": 3, "neandertals": 3,
    "paleolithic": 3, "neolithic": 3, "excerpt": 2, "passage": 1, "memoir": 2,
    "foreign policy": 4, "cold war": 4, "security studies": 4, "great depression": 4,
    "new deal": 3, "the war": 1.5, "the soviet": 3, "soviet union": 3,
    "humanitarian intervention": 3, "arms control": 3, "human security": 3,
}

_IDEAS = {
    "kant": 2, "aristotle": 2, "plato": 2.5, "socrates": 2.5, "nietzsche": 3,
    "descartes": 3, "hume": 2, "confucius": 3, "utilitarian": 2, "utilitarianism": 2,
    "morality": 1.5, "moral": 1.5, "virtue": 2, "virtues": 2, "metaphysics": 3,
    "epistemology": 3, "existential": 2, "fallacy": 3, "fallacies": 3, "sociology": 3,
    "sociological": 2, "society": 1, "poverty": 2, "gender": 1, "feminist": 1.5,
    "feminism": 1.5, "marxist": 2, "psychology": 1.5, "psychologist": 1.5,
    "anthropology": 3, "anthropologist": 3, "ethical": 1, "hinduism": 3, "buddhism": 3,
    "buddhist": 3, "christianity": 3, "islam": 3, "judaism": 3, "jain": 3, "sikh": 3,
    "bible": 2.5, "spiritual": 2,
}

_SKY = {
    "jupiter": 2.5, "saturn": 2.5, "mars": 2, "venus": 2, "pluto": 2.5, "orbit": 2,
    "orbits": 2, "solar": 2, "lunar": 2, "stars": 1.5, "telescope": 3, "comet": 3,
    "asteroid": 3, "meteor": 3, "nebula": 3, "astronomical": 3, "astronomy": 3,
    "astronomers": 3, "cosmic": 2.5, "black hole": 3, "the moon": 2, "the sun": 2,
    "light years": 3, "solar system": 4,
}

_REQUESTS = {
    "brainstorm": 3, "outline": 1.5, "colleague": 1.5, "presentation": 1.5,
    "invitation": 2, "feedback": 1, "reviews": 1.5, "categorize": 1.5, "rhyme": 3,
    "names for": 2.5, "thank you": 2, "public speaking": 4, "team building": 3,
    "meal plan": 3, "road trip": 2.5, "a list of": 0.5, "tips on": 2, "advice on": 1,
    "the best way": 0.5, "a story": 3, "a letter": 2, "a speech": 3, "a song": 4,
    "a tweet": 4, "a slogan": 4, "a product": 1, "a movie": 3, "a book": 2,
    "the novel": 3, "pros and cons": 3, "role play": 3,
}

# the social side of the people legal and medical questions are about: a gift for the
# boss, the neighbour's garden, cheering up a sister going through a divorce
_SOCIAL = {
    "gift": 2, "gifts": 2, "present": 1, "breed": 2.5, "cute": 2.5, "decorate": 2.5,
    "decorating": 2.5, "politely": 2, "polite": 1.5, "friendly": 1.5, "a raise": 3,
    "support her": 2, "support him": 2, "cheer up": 2.5, "retiring": 1.5, "flowers": 2,
    "bloom": 2, "school project": 3, "tv shows": 2.5, "radio ad": 3, "in the life": 2.5,
    "get well": 3, "surprise": 1.5, "anniversary": 1.5, "housewarming": 3, "icebreaker": 3,
}

GENERAL_TOPICS_RULE = DomainRule(
    "general",
    {**_ECONOMY, **_POLITICS_AND_HISTORY, **_IDEAS, **_SKY, **_REQUESTS, **_SOCIAL},
    patterns=(
        # a writing task: "Write a short poem about ...", whatever the poem is about
        Pattern(r"^\W*(?:please\s+)?(?:write|compose|draft|create|generate)\s+(?:me\s+)?"
                r"(?:a|an|some|the|two|three|my)?\s*(?:\w+\s+){0,3}?(?:poem|poems|story|stories|essay|"
                r"song|haiku|limerick|sonnet|letter|email|speech|tweet|toast|joke|jokes|dialogue|"
                r"blog|rap|lyrics|slogan|tagline|fable|text|message|note|card|review|caption|post|"
                r"bio|invitation|apology|obituary|reply)\b",
                4, lowercase=True, max_chars=120,
                requires_words=frozenset({"poem", "poems", "story", "stories", "essay", "song",
                                          "haiku", "limerick", "sonnet", "letter", "email",
                                          "speech", "tweet", "toast", "joke", "jokes", "dialogue",
                                          "blog", "rap", "lyrics", "slogan", "tagline",
                                          "fable", "text", "message", "note", "card", "review",
                                          "caption", "post", "bio", "invitation", "apology",
                                          "obituary", "reply"})),
    ),
)
