"""Evidence for everyday requests (writing, creative work, trivia, culture, advice):
it does not make a query general by itself, it stops a stray technical word from
pulling a clearly general request into a specialised domain."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule

_WORDS = {
    "email": 2, "emails": 2, "letter": 1, "essay": 2.5, "essays": 2.5, "poem": 4,
    "poems": 4, "poetry": 4, "haiku": 4, "sonnet": 4, "limerick": 4, "story": 2,
    "stories": 2, "novel": 2, "fiction": 2.5, "fictional": 2.5, "blog": 3, "podcast": 3,
    "tweet": 2, "tweets": 2, "headline": 2.5, "headlines": 2.5, "slogan": 3,
    "tagline": 3, "speech": 1.5, "joke": 1.5, "jokes": 1.5, "lyrics": 3, "song": 2.5,
    "songs": 2.5, "sang": 3, "sing": 2, "singer": 3, "movie": 1.5, "movies": 1.5,
    "film": 1, "films": 1, "album": 1.5, "band": 1, "actor": 1.5, "actress": 1,
    "episode": 1, "season": 1, "seasons": 1, "series": 0.5, "tv": 1.5, "show": 0.5,
    "recipe": 3.5, "recipes": 3.5, "cook": 1, "cooking": 1, "bake": 1, "baking": 1,
    "dish": 1, "dishes": 1, "ingredients": 1.5, "cuisine": 3, "dessert": 2, "vegan": 1,
    "travel": 1.5, "trip": 0.5, "vacation": 1.5, "tourist": 1.5, "tourism": 2.5,
    "itinerary": 3.5, "hotel": 1, "restaurant": 1, "hobby": 1.5, "hobbies": 1.5,
    "game": 0.5, "games": 0.5, "sport": 1, "sports": 1, "football": 1.5, "soccer": 1.5,
    "hockey": 1, "tennis": 1, "golf": 1, "olympics": 3, "championship": 2.5,
    "historical": 1.5, "war": 1.5, "wars": 1.5, "empire": 2, "ancient": 1.5, "century": 1,
    "dynasty": 3, "president": 1.5, "king": 1, "queen": 1, "emperor": 2.5,
    "philosophy": 3, "philosopher": 3, "philosophers": 3, "religion": 2.5,
    "religious": 2, "god": 1.5, "culture": 2, "cultural": 2, "art": 1, "artist": 2,
    "artists": 2, "music": 1.5, "musical": 2, "painting": 1.5, "author": 1.5,
    "summarize": 2.5, "summarise": 2.5, "summary": 2, "translate": 3, "translation": 2.5,
    "rewrite": 1.5, "paraphrase": 3, "proofread": 3, "grammar": 2, "synonym": 3,
    "synonyms": 3, "antonym": 3, "marketing": 2, "brand": 2, "branding": 2.5,
    "startup": 2, "customers": 1.5, "advertisement": 2.5, "advertising": 2.5, "ad": 1,
    "economy": 2.5, "economic": 2.5, "economics": 2.5, "inflation": 2, "recession": 2.5,
    "fiscal": 2, "monetary": 2, "politics": 2.5, "political": 2, "election": 2.5,
    "elections": 2.5, "climate": 2.5, "environment": 2, "environmental": 2,
    "renewable": 2.5, "sustainability": 2.5, "physics": 2.5, "quantum": 2.5,
    "chemistry": 2.5, "chemical": 1.5, "biology": 2, "molecular": 1.5, "evolution": 2,
    "planet": 2, "planets": 2, "universe": 2.5, "astronaut": 3, "astronauts": 3,
    "galaxy": 2.5, "nasa": 3, "animal": 1, "animals": 1, "dog": 0.5, "dogs": 0.5,
    "cat": 0.5, "cats": 0.5, "pet": 0.5, "garden": 0.5, "gardening": 2.5, "weather": 1,
    "country": 1, "countries": 1, "city": 0.5, "cities": 0.5, "interview": 2,
    "resume": 2.5, "career": 2, "skills": 2, "tips": 2.5, "ideas": 2, "suggest": 1.5,
    "suggestions": 1.5, "recommend": 1, "creative": 2.5, "funny": 2.5, "humor": 2.5,
    "humorous": 2.5, "dialogue": 2, "dialog": 2, "roleplay": 3, "pretend": 3,
    "imagine": 2.5, "persona": 3, "characters": 1, "fantasy": 2.5, "wizard": 2,
    "dragon": 2, "superhero": 3, "comics": 3, "anime": 3, "celebrity": 2.5,
    "birthday": 0.5, "wedding": 1, "holiday": 0.5, "christmas": 0.5, "gift": 0.5, "gifts": 0.5,
    "party": 0.5, "friends": 0.3, "friendship": 2.5, "relationship": 1, "dating": 2,
    "motivation": 2, "productivity": 2.5, "habits": 2, "meditation": 1.5,
    "fashion": 3, "outfit": 3, "clothes": 1, "decor": 3, "furniture": 1, "car": 0.3,
    "education": 1.5, "teacher": 0.5, "teachers": 0.5, "students": 0.5, "lesson": 1,
    "curriculum": 2.5, "classroom": 1, "entities": 1.5, "article": 1.5,
    "paragraph": 1.5, "sentence": 1.5, "sentences": 1.5, "word": 0.5, "words": 0.5,
    "tone": 2, "formal": 1.5, "persuasive": 2.5, "catchy": 3, "engaging": 2,
    "compose": 2, "draft": 1, "opinion": 1.5, "debate": 1.5, "pros": 1.5, "cons": 1.5,
    "discovered": 1.5,
    "invented": 2, "inventor": 2.5, "founded": 1.5, "capital": 0.5, "tallest": 2,
    "famous": 2, "mythology": 3, "legend": 2, "legends": 2, "ocean": 1, "river": 1,
    "mountain": 1, "island": 1, "continent": 2, "population": 0.5,
}

_PHRASES = {
    "what if": 3, "who plays": 4, "who played": 4, "who sang": 4, "who sings": 4,
    "who wrote": 3, "who won": 3, "who is": 1.5, "who was": 1.5, "when did": 2,
    "when was": 2, "when is": 1, "where is": 1.5, "where was": 1.5, "what year": 2,
    "tv show": 3, "the movie": 3, "the song": 3, "the book": 2, "write a story": 4,
    "short story": 4, "blog post": 5, "cover letter": 4, "a poem": 5, "an essay": 4,
    "an email": 4, "email to": 3, "product description": 4, "social media": 3,
    "a joke": 3, "fun facts": 3, "the history of": 2,
    "lesson plan": 5, "named entities": 4, "news article": 4,
    "press release": 4, "job interview": 3,
    "business plan": 3, "marketing strategy": 4, "best way to": 1, "how can i": 0.5,
    "tips for": 2, "ideas for": 2, "the world": 1,
    "world war": 3, "chemical equation": 3, "chemical reaction": 2, "civil war": 3, "the first": 0.5, "famous for": 3,
    "the style of": 3, "act as": 2, "you are a": 1, "a table": 0.5,
    "board game": 1.5, "video game": 1.5, "video games": 1.5,
}

GENERAL_RULE = DomainRule("general", {**_WORDS, **_PHRASES})
