"""Text that reads like a course catalog, made fast and deterministically.

Faker is called a few thousand times up front to fill pools (sentences, paragraphs, names);
the rows then pick from the pools and from the catalog templates below, which is what makes
~1M rows of text affordable in seconds.

The catalog search is a substring match (`ILIKE '%q%'` on title and description), so the load
test needs terms whose hit rates are known: frequent ones (a category's topics, in many titles),
rare ones (a handful of courses mention them) and terms that never occur. `SearchVocabulary`
names them; the generator counts the hits it actually produced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

# The course function's (and the frontend's) category names: its catalog filters on them.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "Programming": (
        "Python", "JavaScript", "TypeScript", "Rust", "Go", "Java", "Kotlin", "Swift",
        "C++", "SQL", "Django", "FastAPI", "React", "Node.js", "GraphQL", "Algorithms",
        "AWS Lambda", "Kubernetes", "Docker", "Terraform", "Serverless Architecture",
        "DevOps", "CI/CD Pipelines", "PostgreSQL",
    ),
    "Data Science": (
        "Machine Learning", "Deep Learning", "Pandas", "Data Visualization",
        "Data Engineering", "Natural Language Processing", "Computer Vision", "PyTorch",
        "Time Series Forecasting", "A/B Testing", "Bayesian Inference",
    ),
    "Design": (
        "UX Design", "UI Design", "Figma", "Typography", "Color Theory", "Illustration",
        "Motion Design", "Design Systems", "Accessibility", "Product Design",
    ),
    "Business": (
        "Project Management", "Product Management", "Leadership", "Negotiation",
        "Entrepreneurship", "Startup Finance", "Business Strategy", "Agile and Scrum",
        "Public Speaking", "Remote Team Management", "Personal Finance", "Productivity",
    ),
    "Marketing": (
        "Digital Marketing", "SEO", "Content Marketing", "Social Media Marketing",
        "Email Marketing", "Copywriting", "Brand Strategy", "Growth Hacking", "Web Analytics",
    ),
    "Languages": (
        "Spanish", "French", "German", "Japanese", "Mandarin Chinese", "Italian", "Portuguese",
        "Business English", "Korean",
    ),
    "Music": (
        "Guitar", "Piano", "Music Theory", "Music Production", "Songwriting",
        "Mixing and Mastering", "Ableton Live", "Singing", "Jazz Improvisation",
    ),
    "Photography": (
        "Portrait Photography", "Landscape Photography", "Lightroom", "Street Photography",
        "Photo Editing", "Studio Lighting", "Film Photography", "Drone Photography",
    ),
    "Health": (
        "Yoga", "Nutrition", "Strength Training", "Mindfulness", "Running", "Meditation",
        "Sleep Science", "First Aid", "Healthy Cooking",
    ),
    "Mathematics": (
        "Calculus", "Linear Algebra", "Probability", "Statistics", "Discrete Mathematics",
        "Geometry", "Number Theory", "Trigonometry",
    ),
}  # fmt: skip

LEVELS: tuple[str, ...] = ("beginner", "intermediate", "advanced")
# Beginner courses are the most common, as on real platforms.
LEVEL_WEIGHTS: tuple[int, ...] = (5, 3, 2)

TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "beginner": (
        "Introduction to {topic}",
        "{topic} for Beginners",
        "{topic} from Scratch",
        "Getting Started with {topic}",
        "{topic} Fundamentals",
        "The Complete {topic} Bootcamp",
        "Learn {topic} in 30 Days",
    ),
    "intermediate": (
        "Practical {topic}",
        "{topic} in Practice: Real-World Projects",
        "Hands-On {topic}",
        "{topic}: Beyond the Basics",
        "Building Real Projects with {topic}",
        "The {topic} Workshop",
    ),
    "advanced": (
        "Advanced {topic}",
        "Mastering {topic}",
        "{topic} Masterclass",
        "Expert {topic}: Patterns and Performance",
        "{topic} at Scale",
        "{topic} Deep Dive",
    ),
}

DESCRIPTION_OPENERS: tuple[str, ...] = (
    "This course teaches {topic} step by step, with exercises after every lesson.",
    "Learn {topic} the way professionals use it every day.",
    "A {level} course on {topic}, built around short lessons and practical projects.",
    "Everything you need to become confident with {topic}, explained clearly.",
    "Join thousands of students learning {topic} with real examples and quizzes.",
    "Go from curious to capable in {topic} with guided practice.",
)

MODULE_TITLES: tuple[str, ...] = (
    "Getting Started", "Core Concepts", "Setting Up Your Environment", "First Steps",
    "Working with Real Data", "Common Patterns", "Best Practices", "Going Further",
    "Project: Putting It Together", "Testing and Debugging", "Performance", "Final Project",
    "Review and Next Steps", "Case Studies", "Tools of the Trade", "Deep Dive",
)  # fmt: skip

LESSON_TEMPLATES: tuple[str, ...] = (
    "Understanding {word}", "Hands-on: {word}", "{word} Explained", "Quiz: {word}",
    "Working with {word}", "Exercise: {word}", "Common Mistakes with {word}",
    "{word} in Practice", "Why {word} Matters", "Lab: {word}",
)  # fmt: skip

REVIEW_OPENERS: dict[int, tuple[str, ...]] = {
    1: ("Not what I expected.", "Disappointing.", "Hard to follow."),
    2: ("Some useful parts, but too shallow.", "Needs better examples.", "Too fast for me."),
    3: ("Decent course.", "OK overall.", "Good content, average delivery."),
    4: ("Really good course!", "Clear and practical.", "Learned a lot."),
    5: ("Excellent!", "The best course I have taken.", "Highly recommended!", "Loved it."),
}

# Terms a handful of course descriptions mention (the load test's "rare" searches).
RARE_TERMS: tuple[str, ...] = (
    "quaternion", "zettelkasten", "kintsugi", "monad", "bioluminescence", "cryptarithm",
    "origami", "homomorphic", "sourdough", "fibonacci", "palindrome", "tessellation",
)  # fmt: skip
RARE_SENTENCE = "Bonus lesson: a short detour into {term}."
# Terms no title or description ever contains (the "no hit" searches: a full scan, 0 rows).
NO_HIT_TERMS: tuple[str, ...] = (
    "xylqzv", "qqwvvz", "zzjjxk", "blorptastic", "vqzxkj", "fjqzzw",
)  # fmt: skip


@dataclass(frozen=True)
class SearchVocabulary:
    frequent: tuple[str, ...]
    rare: tuple[str, ...]
    no_hit: tuple[str, ...]

    @property
    def all_terms(self) -> tuple[str, ...]:
        return self.frequent + self.rare + self.no_hit


def default_vocabulary() -> SearchVocabulary:
    frequent = (
        "python", "javascript", "design", "data", "marketing", "photography", "learning",
        "management", "beginners", "advanced", "kubernetes", "guitar", "spanish", "sql",
    )  # fmt: skip
    return SearchVocabulary(frequent, RARE_TERMS, NO_HIT_TERMS)


@dataclass
class TextPools:
    """Pre-made text the row generators pick from (built once, deterministic per seed)."""

    first_names: list[str]
    last_names: list[str]
    sentences: list[str]
    paragraphs: list[str]
    words: list[str]
    topics: list[tuple[str, str]] = field(default_factory=list)  # (category, topic)

    @classmethod
    def build(cls, seed: int, *, sentences: int = 4000, paragraphs: int = 1500) -> TextPools:
        from faker.providers.person.en_US import Provider as PersonProvider

        fake = Faker("en_US")
        fake.seed_instance(seed)
        words = sorted({w.capitalize() for w in fake.words(nb=400, unique=True)})
        pools = cls(
            first_names=sorted(set(PersonProvider.first_names)),
            last_names=sorted(set(PersonProvider.last_names)),
            sentences=[fake.sentence(nb_words=12) for _ in range(sentences)],
            paragraphs=[fake.paragraph(nb_sentences=5) for _ in range(paragraphs)],
            words=words,
            topics=[(c, t) for c, topics in CATEGORIES.items() for t in topics],
        )
        pools._check_no_hits()
        return pools

    def _check_no_hits(self) -> None:
        """The no-hit terms must not occur anywhere the catalog text comes from."""
        haystacks = [
            *self.sentences,
            *(t for _, t in self.topics),
            *(t for ts in TITLE_TEMPLATES.values() for t in ts),
            *DESCRIPTION_OPENERS,
            RARE_SENTENCE,
            *RARE_TERMS,
            *LEVELS,
        ]
        text = "\n".join(haystacks).lower()
        found = [term for term in NO_HIT_TERMS if term in text]
        if found:
            raise AssertionError(f"no-hit search terms occur in the catalog text: {found}")


class CatalogText:
    """Titles, descriptions and curriculum text for one random stream."""

    def __init__(self, pools: TextPools, rng: random.Random, *, rare_rate: float) -> None:
        self.pools = pools
        self.rng = rng
        self.rare_rate = rare_rate

    def full_name(self) -> tuple[str, str]:
        return self.rng.choice(self.pools.first_names), self.rng.choice(self.pools.last_names)

    def course(self) -> tuple[str, str, str, str]:
        """(category, level, title, description)."""
        rng = self.rng
        category, topic = rng.choice(self.pools.topics)
        level = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
        title = rng.choice(TITLE_TEMPLATES[level]).format(topic=topic)
        parts = [rng.choice(DESCRIPTION_OPENERS).format(topic=topic, level=level)]
        parts.append(rng.choice(self.pools.sentences))
        parts.append(rng.choice(self.pools.sentences))
        if rng.random() < self.rare_rate:
            parts.append(RARE_SENTENCE.format(term=rng.choice(RARE_TERMS)))
        return category, level, title, " ".join(parts)

    def module_title(self, position: int) -> str:
        return f"{position + 1}. {self.rng.choice(MODULE_TITLES)}"

    def lesson(self) -> tuple[str, str]:
        rng = self.rng
        title = rng.choice(LESSON_TEMPLATES).format(word=rng.choice(self.pools.words))
        return title, rng.choice(self.pools.paragraphs)

    def review_comment(self, rating: int) -> str:
        return f"{self.rng.choice(REVIEW_OPENERS[rating])} {self.rng.choice(self.pools.sentences)}"
