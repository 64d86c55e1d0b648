"""Evidence that a query is mathematics beyond school word problems: abstract
algebra, analysis and set theory, linear algebra, probability and statistics, and
the arithmetic of primary school written out in words ('3 over 4', 'the tens
place'). Everyday words that mathematics borrows ('ring', 'field', 'ideal',
'chance') weigh little; their mathematical phrases carry the weight."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern

_ALGEBRA = {
    "subring": 5, "ideals": 3, "commutative": 4, "associative": 3, "multiplicative": 4,
    "additive": 3, "inverse": 2.5, "inverses": 3, "sylow": 5, "dihedral": 5, "solvable": 3,
    "irreducible": 4, "monic": 5, "ring": 1.5, "rings": 1, "maximal ideal": 5,
    "prime ideal": 5, "an ideal": 1.5, "identity element": 5, "finite field": 5,
    "splitting field": 5, "element of order": 5, "elements of order": 5,
    "group of order": 5, "symmetric group": 5, "polynomial ring": 5, "the ring": 3,
    "a ring": 2.5, "the characteristic": 2, "the kernel": 1.5, "unit element": 4,
}

_ANALYSIS = {
    "differentiable": 5, "continuity": 3, "convergence": 3.5, "convergent": 4,
    "divergent": 2.5, "bounded": 2.5, "unbounded": 2, "subset": 3.5, "subsets": 3.5,
    "superset": 4, "cardinality": 5, "countable": 4, "uncountable": 4.5, "countably": 5,
    "bijection": 5, "surjection": 5, "topology": 4, "hausdorff": 5, "holomorphic": 5,
    "supremum": 5, "infimum": 5, "monotonic": 3, "riemann": 4, "lebesgue": 5,
    "antiderivative": 5, "maclaurin": 5, "dx": 3, "continuous": 1.5, "interval": 2,
    "intervals": 2, "one to one": 2, "open set": 4, "closed set": 4, "metric space": 5,
    "complex plane": 5, "real line": 4, "partial derivative": 5, "taylor series": 5,
    "power series": 5, "definite integral": 5, "g x": 2.5, "f z": 3, "convex": 3,
    "concave": 2.5, "euclidean": 4, "gon": 2, "pascal": 2, "reflexive": 4,
    "transitive": 2.5, "antisymmetric": 5, "equivalence relation": 5, "partial order": 5,
    "partial ordering": 5, "compact space": 5, "complete space": 5,
    "supplementary angles": 5, "complementary angles": 5,
}

_LINEAR = {
    "invertible": 5, "nullspace": 5, "eigenspace": 5, "orthogonal": 3.5, "orthonormal": 5,
    "transpose": 3, "diagonalizable": 5, "subspace": 4.5, "subspaces": 4.5, "scalar": 2.5,
    "scalars": 2.5, "null space": 5, "linearly independent": 6, "linear combination": 5,
    "linear transformation": 6, "linear map": 5, "identity matrix": 6, "vector space": 5,
    "inner product": 5, "dot product": 4, "cross product": 4, "the trace": 2,
}

_PROBABILITY_AND_STATISTICS = {
    "marbles": 3, "marble": 3, "bayes": 3, "anova": 5, "stratified": 3, "nonresponse": 4,
    "undercoverage": 5, "confounding": 3.5, "skewed": 3, "bimodal": 4, "interquartile": 5,
    "boxplot": 5, "stemplot": 5, "residual": 3, "residuals": 3.5, "chance": 1,
    "without replacement": 5, "with replacement": 4, "fair coin": 5, "fair die": 5,
    "deck of cards": 4, "independent events": 5, "mutually exclusive": 4,
    "conditional probability": 6, "random variable": 6, "random variables": 6,
    "expected number": 3, "z score": 5, "t test": 5, "chi square": 5,
    "significance level": 5, "type i": 3, "type ii": 3, "sampling distribution": 6,
    "sample size": 3, "sample mean": 5, "population mean": 5, "two sample": 4,
    "cluster sample": 4, "systematic sample": 4, "convenience sample": 4,
    "voluntary response": 5, "response bias": 4, "control group": 2.5,
    "treatment group": 2.5, "least squares": 5, "normally distributed": 5,
    "mean of": 2, "the mean": 2, "the median": 3, "a sample": 2.5, "the sample": 2,
    "the population": 1, "are drawn": 2, "is drawn": 2, "is rolled": 3, "are rolled": 3,
    "is tossed": 3, "is flipped": 3, "probability that": 3,
}

_ARITHMETIC = {
    "ones place": 5, "tens place": 5, "hundreds place": 5, "rounding": 2.5,
    "nearest hundred": 4, "nearest ten": 4, "nearest thousand": 4, "product of": 2,
    "sum of": 1.5, "difference of": 1.5, "exact answer": 3, "mixed number": 5,
    "improper fraction": 5, "equivalent fractions": 5, "common denominator": 5,
    "number line": 5, "number sentence": 5, "times table": 4, "greater than": 1,
    "multiplied by": 3, "divided by": 3, "a multiple": 3, "multiple of": 3, "a factor": 2,
    "factor of": 2.5, "a divisor": 4, "largest factor": 3, "unit of measure": 3,
    "units of measure": 3, "tip": 1, "degrees": 1, "how many ways": 3.5, "in how many": 2,
    "arrangements": 3, "arranged": 1.5, "seated": 1, "as a decimal": 4,
    "as a fraction": 4, "as a percent": 4, "as a percentage": 3, "simplest form": 4,
    "lowest terms": 4, "common fraction": 5, "next number": 3, "the sequence": 2,
    "log base": 5, "base 10": 2, "base 2": 2, 
}

MATH_TOPICS_RULE = DomainRule(
    "math",
    {**_ALGEBRA, **_ANALYSIS, **_LINEAR, **_PROBABILITY_AND_STATISTICS, **_ARITHMETIC},
    patterns=(
        # fractions in words ("5 over 6") and rings of integers ("Z_7", "Z x Z")
        Pattern(r"\d\s+over\s+\d", 3, lowercase=True, requires_words=frozenset({"over"})),
        Pattern(r"\b[ZQR]_\{?\d+|\bZ\s?x\s?Z\b|\bZ\[", 4, requires_words=frozenset({"z", "q", "r"})),
        # sums and products written out: "145 + 281 + 62", "7 × 8"
        Pattern(r"\d\s*[+×÷*−]\s*\(?\d", 2, requires_chars="+×÷*−"),
        # "15% of 240", "20 percent of $50"
        Pattern(r"\d\s?%\s+of\s+\$?\d", 4, requires_chars="%"),
        Pattern(r"\d\s?(?:percent|per cent)\s+of\s+\$?\d", 4, lowercase=True,
                requires_words=frozenset({"percent", "cent"})),
        # a coefficient and its variable next to an operator: "3(x + 4) - 2x", "2y = 6"
        Pattern(r"\d[xyz]\s*[-+=<>^²)]|[-+=<>(]\s*\d+[xyz]\b", 3, requires_chars="+=<>"),
        # unit conversions: "convert 2.5 hours to minutes"
        Pattern(r"\bconvert\s+\d[\d.,/]*\s*[a-z]*\s+(?:to|into)\s+[a-z]", 3, lowercase=True,
                requires_words=frozenset({"convert"})),
        # function values: "F(3) = 8", "f(2.5)"
        Pattern(r"\((?<=\b[a-zA-Z]\()-?\d+(?:\.\d+)?\)|′\(-?\d", 2, requires_chars="("),
        # events and probabilities: "P(E)", "P(A | B)", "P(X = 2)"
        Pattern(r"P(?<![A-Za-z]P)\([A-Z]", 3, requires_chars="("),
    ),
)
