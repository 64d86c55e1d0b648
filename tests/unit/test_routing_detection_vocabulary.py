"""The broader vocabularies and the evidence weighting of DomainDetector, on queries
written for these tests in the styles of real traffic (advice forums, exam questions,
coding sites, chat requests). None is taken from a dataset."""

from __future__ import annotations

import pytest

from cascadeflow.routing import DomainDetector, DomainRule, Pattern

DETECTOR = DomainDetector()

WRITTEN: dict[str, tuple[str, ...]] = {
    "legal": (
        "My ex won't let me see my kids even though we have a visitation schedule. What can I do?",
        "I got a letter saying my wages will be garnished for an old credit card debt. Can they do that?",
        "My roommate moved out and stopped paying her share. Am I responsible for the full rent?",
        "I was pulled over and the officer searched my car without asking. Is that allowed?",
        "What is the parol evidence rule?",
        "What are the elements of promissory estoppel?",
        "May a part-time town justice also serve as a volunteer firefighter?",
        "What must a plaintiff show to obtain a preliminary injunction?",
        "My dad died without a will. Who gets his house?",
        "What is the rule against perpetuities?",
        "According to Hart, what distinguishes primary rules from secondary rules?",
        "I signed up for a gym and tried to cancel when I moved but they keep charging my card.",
        "My daughter (17) got caught with a vape at school and the SRO wrote her a citation. "
        "Does she need to go to court?",
        "I co-signed a car loan for my brother and he stopped paying. The lender is coming after me.",
        "Is a handwritten will valid if it wasn't witnessed?",
        "Somebody posted lies about my business online saying we stole from them. "
        "Can I make them take it down?",
        "Our HOA is fining us for parking a work truck in our own driveway. Do they have the authority?",
        "What is the difference between general and specific personal jurisdiction?",
        "Which of the following is not a source of international law under Article 38 of the ICJ Statute?",
        "I'm on a student visa and my school lost its accreditation. Will I be deported?",
    ),
    "medical": (
        "how much acetaminophen can i safely take in a day if i drink alcohol",
        "Can I crush my extended release metoprolol tablet to make it easier to swallow?",
        "I was told I have a herniated disc at L5-S1. What exercises should I avoid?",
        "Are elevated troponin levels after marathon running associated with myocardial damage?",
        "Which cranial nerve innervates the lateral rectus muscle?\nA. Oculomotor\nB. Trochlear\n"
        "C. Abducens\nD. Facial",
        "Which of the following bones forms the heel?\nA. Talus\nB. Calcaneus\nC. Navicular\nD. Cuboid",
        "An autosomal recessive disorder affects 1 in 2500 newborns. What is the carrier frequency?",
        "Is it normal to have spotting between periods while on the pill?",
        "what is hydroxyzine used for",
        "My 3 year old swallowed a small button battery, what do I do?",
        "What is the function of the loop of Henle?",
        "Does early mobilization after hip fracture surgery reduce mortality in elderly patients?",
        "I keep getting canker sores in my mouth every few weeks. What could be the reason?",
        "Why do my legs cramp at night?",
        "how long does oxycodone stay in your system",
        "Where is insulin produced in the body?",
        "SUBJECT: shingles vaccine\nMESSAGE: I am 62 and had chickenpox as a kid. "
        "Should I get the shingles shot?",
        "A 55-year-old smoker has a chronic productive cough and progressive dyspnea. "
        "What is the diagnosis?",
    ),
    "code": (
        "Write a function to compute the area of a trapezium given its two bases and height.",
        "Write a function to check if the given number is a perfect square or not.",
        "Write a python function to count the number of prime numbers less than a given number.",
        "check if file 'config.ini' exists",
        "fatal: refusing to merge unrelated histories. How do I fix this?",
        "How do I kill the process listening on port 8080 on macOS?",
        "Segmentation fault (core dumped) when running my C program that reads a file into a buffer",
        "ModuleNotFoundError: No module named 'requests' even though I installed it with pip",
        "sort dictionary `d` by value in descending order",
        "get the last element of list `items`",
        "How do I merge two dictionaries in a single expression?",
        "What's the fastest way to check if a list is empty?",
        'def sum_product(numbers):\n    """ For a given list of integers, return a tuple of their sum '
        'and their product."""',
        "How do I set up a cron job that runs a script every Monday at 9am?",
        "Why do I get 'permission denied' when running my shell script?",
        "Implement binary search in JavaScript.",
    ),
    "math": (
        "How many ways can 5 people be seated around a round table?",
        "Which of the following is equivalent to 3(x + 4) - 2x?\nA. x + 12\nB. x + 4\nC. 5x + 12\nD. x - 12",
        "A jar contains 4 red and 6 blue marbles. Two are drawn without replacement. "
        "What is the chance both are blue?",
        "Statement 1 | Every cyclic group is abelian. Statement 2 | Every subgroup of an abelian "
        "group is normal.\nA. True, True\nB. False, False\nC. True, False\nD. False, True",
        "Find the characteristic of the ring Z_5 x Z_5.",
        "Find 5 over 6 minus 1 over 3.",
        "What is 15% of 240?",
        "Write 3/8 as a decimal.",
        "What is the next number in the sequence 2, 6, 18, 54, ...?",
        "Convert 2.5 hours to minutes.",
        "Evaluate log base 2 of 64.",
        "Which of the following numbers is a multiple of both 6 and 8?\nA. 16\nB. 18\nC. 24\nD. 32",
        "A bag holds twenty-one buttons. Seven buttons have two holes and the rest have four. "
        "How many holes are there in all?",
        "How many edges does a cube have?",
    ),
    "general": (
        "how many players are on a basketball team",
        "In what year did the titanic sink and how many people survived",
        "As of 2019, about what percentage of adults say they read a book last year?\n"
        "A. 25%\nB. 45%\nC. 65%\nD. 85%",
        "Explain how a satellite stays in orbit around the Earth.",
        "Write a job description for a junior software engineer position.",
        "Sort these fruits alphabetically: pear, apple, mango, banana.",
        "Estimate how many piano tuners there are in Chicago, explaining your reasoning step by step.",
        "How does the electoral college work?",
        "What are the health benefits of green tea?",
        "Give me a three-course dinner menu for a romantic evening.",
        "Write a tweet announcing our summer sale: 30% off everything.",
        "Create a workout plan for a beginner who wants to run a 5k.",
        "when did the us enter world war 1",
        "Explain what inflation is and why it matters.",
        "What are the main arguments for and against nuclear energy?",
        "Help me write a LinkedIn post about finishing my first marathon.",
    ),
}


@pytest.mark.parametrize("domain", sorted(WRITTEN))
def test_the_broader_vocabularies_recognise_each_domain(domain: str) -> None:
    queries = WRITTEN[domain]
    wrong = {q: DETECTOR.detect(q)[0] for q in queries if DETECTOR.detect(q)[0] != domain}
    assert len(wrong) <= len(queries) // 10, wrong


def test_a_coding_task_stays_code_whatever_its_subject() -> None:
    # geometry, primes, interest: the request is for a function
    for query in ("Write a function to find the volume of a sphere.",
                  "Write a function to calculate the compound interest given principal, rate and time.",
                  "Write a python function to find the first repeated character in a given string."):
        assert DETECTOR.detect(query)[0] == "code", query
    # ...but a story about code is writing
    assert DETECTOR.detect("Write a short poem about a programmer's first bug.")[0] == "general"


def test_numbers_among_answer_options_are_not_evidence_of_math() -> None:
    stem = "Which river is the longest in Europe?"
    numbered = stem + "\nA. 3,530 km\nB. 2,850 km\nC. 1,230 km\nD. 6,650 km"
    assert DETECTOR.detect(numbered)[0] == "general"
    found = DETECTOR.explain(numbered)
    assert not any("math" in e and "\\d" in e for e in found.evidence), found.evidence


def test_years_are_not_quantities_to_compute_with() -> None:
    assert DETECTOR.detect("In 1969, how many astronauts walked on the moon?")[0] == "general"
    assert DETECTOR.detect("Sam has 12 apples and buys 30 more. How many does he have?")[0] == "math"


def test_dispute_words_add_up_only_together() -> None:
    assert DETECTOR.detect("My sister refused to come to dinner.")[0] == "general"
    assert DETECTOR.detect(
        "The mechanic kept my car and refuses to give it back until I pay for repairs I never approved."
    )[0] == "legal"


def test_a_drug_is_recognised_by_its_stem() -> None:
    found = DETECTOR.explain("Can I take hydroxyzine with sertraline?")
    assert found.domain == "medical"
    assert any("hydroxyzine" in e for e in found.evidence)


def test_patterns_can_ignore_answer_options() -> None:
    detector = DomainDetector(rules=[DomainRule("quiz", patterns=(Pattern(r"\d", 4, stem_only=True),))])
    assert detector.detect("Pick one\nA. 1\nB. 2")[0] == "general"  # digits only in the options
    assert detector.detect("Pick 1\nA. x\nB. y")[0] == "quiz"


def test_patterns_can_require_quantities() -> None:
    detector = DomainDetector(rules=[DomainRule("sums", patterns=(Pattern(r"total", 4, min_numbers=2),))])
    assert detector.detect("the total of two and 3")[0] == "sums"  # 'two' and '3'
    assert detector.detect("the total of 3 in 2020")[0] == "general"  # a year is not a quantity
