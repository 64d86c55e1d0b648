"""Evidence that a query is a layperson's legal problem, as people write them on
advice forums: housing, work, family, debts, police and traffic, immigration,
inheritance, and the questions that ask what the law allows ('do they have the
right to', 'am I responsible for'). Words shared with everyday talk ('boss',
'neighbor', 'ex') weigh little alone; the phrases around them carry the weight."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern

_FAMILY = {
    "paternity": 4.5, "annulment": 5, "emancipation": 3, "emancipated": 3.5,
    "coparent": 3, "coparenting": 3, "stepparent": 2, "foster": 1.5, "abuser": 2.5,
    "stalker": 2.5, "harass": 2.5, "harassed": 3, "my ex": 2.5, "ex husband": 3,
    "ex wife": 3, "ex boyfriend": 2, "ex girlfriend": 2, "co parent": 3,
    "parenting plan": 5, "parenting time": 5, "custody order": 6, "court ordered": 4,
    "protection order": 6, "order of protection": 6, "no contact order": 6,
    "domestic violence": 4, "legally separated": 6, "legal separation": 6,
    "visitation schedule": 5, "see my kids": 2.5, "see my children": 2.5, "sole custody": 6,
    "joint custody": 6, "kicked me out": 3, "kicked out": 2, "a minor": 3, "under 18": 2.5,
    "runaway": 2.5, "full custody": 6, "custody battle": 6, "my kids": 1, "the kids": 0.5,
}

_HOUSING = {
    "renter": 3, "renters": 3, "apartment": 1, "habitability": 5, "uninhabitable": 5,
    "mold": 1.5, "repairs": 1.5, "towed": 3, "towing": 3, "squatter": 4, "squatters": 4,
    "quitclaim": 5, "escrow": 3.5, "bylaws": 4, "evicting": 5, "neighbor": 1, "neighbors": 1,
    "neighbour": 1, "neighbours": 1, "property manager": 3.5, "property management": 3.5,
    "notice to vacate": 6, "move out": 1.5, "moved out": 1.5, "section 8": 4,
    "homeowners association": 5, "property line": 5, "rent increase": 4, "late fee": 3,
    "late fees": 3, "my apartment": 1.5, "the apartment": 1, "lease agreement": 6,
    "rental agreement": 6, "month to month": 3, "pay rent": 3, "the rent": 2,
}

_WORK = {
    "boss": 1.5, "coworker": 1.5, "coworkers": 1.5, "hr": 2, "layoff": 2.5, "resign": 1.5,
    "resigned": 1.5, "pto": 3, "workplace": 1.5, "whistleblower": 4, "nlrb": 5,
    "salaried": 2, "misclassified": 4, "noncompete": 5, "w2": 2.5, "my boss": 1,
    "my manager": 1.5, "laid off": 3, "paid me": 3, "pay me": 2.5, "paying me": 3,
    "unpaid wages": 6, "back pay": 5, "wage theft": 6, "sick leave": 3.5,
    "maternity leave": 3.5, "paid leave": 3, "independent contractor": 4,
    "unemployment benefits": 5, "hostile work environment": 6, "labor board": 5,
    "my job": 1, "my employment": 3, "my contract": 3.5,
    "doctor s note": 2, "two weeks notice": 3,
}

_MONEY = {
    "repossessed": 4.5, "repossession": 5, "collections": 2.5, "scammed": 3,
    "debt collector": 6, "debt collectors": 6, "collection agency": 5, "credit report": 4,
    "lemon law": 6, "credit card debt": 3, "my money back": 3, 
    "breach of contract": 6, "sent to collections": 5,
}

_POLICE = {
    "searched": 2.5, "shoplifting": 4, "vandalism": 3.5, "arraignment": 6, "detained": 4,
    "handcuffed": 4, "juvenile": 2.5, "arson": 4, "kidnapping": 3.5, "perjury": 5,
    "bribery": 3, "extortion": 3.5, "officer": 1.5, "pulled over": 4, "traffic stop": 5,
    "search warrant": 6, "without a warrant": 6, "charged with": 4.5, "bench warrant": 6,
    "probation officer": 5, "speeding ticket": 4, "suspended license": 4,
    "license suspended": 4, "criminal charges": 6, "my record": 3, "on probation": 5,
    "the cops": 3, "a police": 3,
}

_IMMIGRATION = {
    "h1b": 5, "daca": 5, "overstay": 5, "overstayed": 5, "undocumented": 4.5,
    "naturalization": 5, "naturalized": 4, "consulate": 3, "embassy": 2, "passport": 1.5,
    "refugee": 2, "h 1b": 5, "permanent resident": 5, "removal proceedings": 6,
    "immigration judge": 6, "work permit": 4, "student visa": 5, "i 130": 5, "i 485": 5,
    "my visa": 4,
}

_ACCIDENTS_AND_CONSUMERS = {
    "fender": 3, "rear ended": 5, "totaled": 3, "hit my car": 4, "her fault": 3,
    "his fault": 3, "their fault": 3, "my fault": 2, "not at fault": 5, "fault accident": 5,
    "insurance claim": 3, "claims adjuster": 5, "their insurance": 3, "his insurance": 3,
    "her insurance": 3, "property damage": 4, "cancel my": 1.5, "charging my": 2.5,
    "charged my": 2.5, "my card": 1, "auto renew": 3, "cancellation fee": 4,
    "refuses to refund": 5, "won t refund": 5, "the contractor": 3, "a contractor": 2,
    "filed a claim": 4, "denied my claim": 5, "the dealership": 2.5,
}

_HOUSEHOLD = {
    "separating": 2.5, "marital": 4, "spouse": 1.5, "spousal support": 6,
    "take the kids": 3, "take my kids": 3, "the kids from": 2,
    "support payments": 4, "my husband": 1, "my wife": 1, "clock out": 4, "clocked out": 4,
    "off the clock": 5, "meal break": 4, "lunch break": 2.5, "hourly": 1.5, "tip pool": 5,
    "enter my apartment": 5, "enter my home": 4, "without notice": 3,
    "school resource officer": 5, "a citation": 3, "minor in possession": 6,
    "code violation": 5, "code enforcement": 5, "my property": 3,
    "his property": 3, "our property": 3, "the property": 1.5, "who pays": 2,
    "for the damage": 2.5, "for the damages": 4, "who is responsible": 3, "who is liable": 5,
    "my neighbor s": 1, "my neighbour s": 1,
}

_SCHOOL_BENEFITS_AND_LOANS = {
    "expel": 3, "expelled": 3, "expulsion": 3.5, "school district": 3, "iep": 4,
    "hearing": 2, "any rights": 4, "rights to": 2, "denied coverage": 4,
    "appeal the": 3, "appeal a": 3, "the denial": 3, "ssdi": 5, "ssi": 4, "snap": 1,
    "food stamps": 3, "medicaid": 2, "lender": 2.5, "loan": 1, "cosigned": 4, "cosigner": 4,
    "co signed": 4, "co signer": 4, "coming after me": 3, "enforce": 2, "the order": 1.5,
}

_COURTS_AND_RIGHTS = {
    "judgment": 3, "judgement": 3, "docket": 5, "continuance": 5, "retainer": 3.5,
    "clerk": 1.5, "jury duty": 5, "jury summons": 5, "file a motion": 6,
    "default judgment": 6, "served papers": 5, "filing fee": 5, "pro bono": 5,
    "plea deal": 6, "plea bargain": 6, "traffic court": 6, "name change": 4,
    "change my name": 4, "legal name": 5, "social security": 2.5, "disability benefits": 4,
    "veterans benefits": 4, "va benefits": 4, "identity theft": 5, "robocalls": 3,
    "telemarketer": 3, "reasonable accommodation": 5, "revenge porn": 5,
    "cyberbullying": 3, "sole proprietor": 4, "business license": 4, "won t pay": 3,
    "unpaid invoice": 4, "encroach": 4, "encroaching": 4, "encroachment": 5,
    "medical records": 2, "return policy": 2,
}

# what a dispute sounds like: one of these proves nothing, two or three make a case
_DISPUTES = {
    "refuse": 1.5, "refused": 1.5, "refuses": 2, "refusing": 2, "threatening": 2,
    "threatened": 2, "threaten": 2, "demanding": 1.5, "accused": 3, "accusing": 3,
    "dispute": 3, "disputed": 3, "disputing": 3, "withheld": 3, "withholding": 3,
    "deducted": 3, "deducting": 3, "overcharged": 3, "lied": 1.5, "lies": 1, "stole": 2.5,
    "demoted": 3, "banning": 1.5, "banned": 1, "permit": 1.5, "permits": 1.5,
    "mechanic": 1.5, "caretaker": 1, "stepson": 2, "stepdaughter": 2, "stepfather": 2,
    "stepmother": 2, "adopt": 1.5, "adopting": 2, "won t let": 2.5, "kept my": 2.5,
    "took my": 2, "give it back": 2, "pay back": 2, "paid back": 2, "let go": 2,
    "written up": 3, "sign over": 4, "signed over": 4, "birth certificate": 3,
    "never married": 2, "what rights": 4, "rights do i": 4, "lies about": 3,
    "posted lies": 4, "false statements": 3, "stole from": 3, "before he died": 2,
    "before she died": 2, "biological father": 3, "biological dad": 3,
    "biological mother": 3, "never approved": 2, "passed a law": 3, "passed a rule": 3,
    "short term rentals": 4, "stop me from": 2.5, "city council": 2,
}

_ESTATES = {
    "intestate": 6, "intestacy": 6, "executrix": 5, "deceased": 2.5, "passed away": 1.5,
    "next of kin": 3, "without a will": 6, "my will": 3, "his will": 2.5, "her will": 2.5,
    "in the will": 4, "in his will": 4, "in her will": 4, "a living will": 5,
    "estate planning": 5, "handwritten will": 6, "holographic will": 6, "witnessed": 2,
    "valid will": 6, "will valid": 5, "the estate": 3, "his estate": 3, "her estate": 3,
}

_ASKING = {
    "takedown": 3, "trademarked": 5, "royalty": 2, "royalties": 2.5, "notarize": 5,
    "paperwork": 1.5, "binding": 3, "without permission": 4, "without my permission": 5,
    "without consent": 3, "without my consent": 5, "am i responsible": 3,
    "a trust": 3, "trusts": 2, "trust fund": 3, "my photos": 2, "stole my": 2.5, "that legal": 5, "legal to": 4,
    "the right to": 2, "have the right": 2.5, "have a right": 2.5, "entitled to": 3,
    "obligated to": 3, "required by law": 6, "by law": 4,
    "have a case": 4, "file a claim": 3, "file a lawsuit": 6, "file charges": 6,
    "responsible for": 1.5, "on the hook": 2.5, "verbal agreement": 5,
    "oral agreement": 5, "written agreement": 4, "do they have": 0.5, "can they": 1,
    "the authority": 1.5, "are my options": 2, "legal aid": 6, "legal help": 6,
    "my rights as": 5, "the law says": 5, "against my will": 2,
}

LEGAL_EVERYDAY_RULE = DomainRule(
    "legal",
    {**_FAMILY, **_HOUSING, **_WORK, **_MONEY, **_POLICE, **_IMMIGRATION,
     **_ACCIDENTS_AND_CONSUMERS, **_HOUSEHOLD, **_SCHOOL_BENEFITS_AND_LOANS,
     **_COURTS_AND_RIGHTS, **_DISPUTES, **_ESTATES, **_ASKING},
    patterns=(
        # "is my employer allowed to ...", "can the landlord legally ..."
        Pattern(r"\b(?:is|are|can|could)\s+(?:my|an|the|a|our|his|her)\s+(?:employer|landlord|boss|"
                r"company|school|hoa|neighbou?r|police|officer|cop|judge|court|city|bank|ex|manager|"
                r"insurance company|insurer|tenant|contractor)\s+(?:legally\s+)?(?:allowed|permitted|"
                r"supposed|required|entitled|obligated)\s+to\b", 4, lowercase=True,
                requires_words=frozenset({"allowed", "permitted", "supposed", "required", "entitled",
                                          "obligated"})),
        # "served with papers", "30-day notice", "small claims": the vocabulary of a dispute
        Pattern(r"\b\d{1,3}[- ]day notice\b", 4, lowercase=True, requires_words=frozenset({"notice"})),
        Pattern(r"\b(?:can|could|should|do|does|will|would)\s+(?:i|we|they|he|she|my \w+)\s+"
                r"(?:sue|be sued|press charges|get evicted|be evicted|be deported|be fired|"
                r"be arrested|go to jail|take (?:him|her|them|it) to court)\b", 5, lowercase=True,
                requires_words=frozenset({"sue", "sued", "charges", "evicted", "deported",
                                          "fired", "arrested", "jail", "court"})),
    ),
)
