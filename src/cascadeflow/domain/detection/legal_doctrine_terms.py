"""Evidence that a query is about legal doctrine, as law students, bar exams and
lawyers ask it: contracts, torts, property and wills, civil and criminal procedure,
evidence, constitutional law, business law, judicial ethics, international law and
jurisprudence. Terms of art are near-certain evidence; words that also live in
philosophy or politics ('sovereignty', 'positivism') weigh less."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern

_CONTRACTS = {
    "unconscionable": 5, "unconscionability": 5, "duress": 3.5, "misrepresentation": 3.5,
    "repudiation": 5, "repudiated": 5, "impracticability": 5, "restitution": 3.5,
    "bailment": 5, "bailee": 5, "bailor": 5, "assignee": 4, "assignor": 4, "merchant": 1.5,
    "merchants": 1.5, "acceptance": 1.5, "consideration": 1, "mailbox rule": 6,
    "parol evidence": 6, "of frauds": 6, "promissory estoppel": 6, "undue influence": 5,
    "anticipatory repudiation": 6, "frustration of purpose": 6, "liquidated damages": 6,
    "expectation damages": 6, "reliance damages": 6, "consequential damages": 6,
    "punitive damages": 6, "compensatory damages": 6, "specific performance": 6,
    "quantum meruit": 6, "unjust enrichment": 6, "party beneficiary": 5,
    "the offeror": 6, "the offeree": 6, "mutual assent": 6,
    "of the minds": 5, "condition precedent": 6, "good faith": 2,
}

_TORTS = {
    "proximately": 5, "causation": 2, "malpractice": 4.5, "invitee": 5, "licensee": 4,
    "tortfeasor": 6, "defamatory": 5, "duty of care": 5, "proximate cause": 6,
    "strict liability": 6, "vicarious liability": 6, "respondeat superior": 6,
    "res ipsa": 6, "false imprisonment": 6, "intentional infliction": 6,
    "emotional distress": 4, "comparative negligence": 6, "contributory negligence": 6,
    "assumption of risk": 5, "attractive nuisance": 6, "products liability": 6,
    "standard of care": 4, "reasonable person": 4, "wrongful death": 6,
}

_PROPERTY_AND_WILLS = {
    "remainderman": 6, "reversion": 4, "vested": 3, "perpetuities": 6, "mortgagee": 6,
    "mortgagor": 6, "devise": 5, "devised": 5, "devisee": 6, "bequest": 5, "bequeathed": 5,
    "testator": 6, "testatrix": 6, "testamentary": 6, "codicil": 6, "landowner": 3.5,
    "landowners": 3.5, "parcel": 2.5, "life estate": 6, "future interest": 5,
    "future interests": 5, "executory interest": 6, "contingent remainder": 6,
    "joint tenancy": 6, "joint tenants": 6, "tenancy in common": 6, "tenants in common": 6,
    "right of survivorship": 6, "recording statute": 6, "recording act": 6,
    "bona fide purchaser": 6, "bona fide": 3, "quiet title": 6, "marketable title": 6,
    "the grantor": 6, "the deed": 5, "a deed": 4,
}

_PROCEDURE = {
    "remand": 4, "remanded": 5, "joinder": 6, "impleader": 6, "interpleader": 6,
    "interrogatories": 6, "ripeness": 6, "mootness": 6, "moot": 3.5, "justiciable": 6,
    "certiorari": 6, "habeas": 6, "writ": 5, "mandamus": 6, "dicta": 5, "dictum": 5,
    "precedents": 3, "overrule": 4, "overruled": 4, "affirmed": 2.5, "vacated": 3,
    "tolling": 4, "tolled": 4, "laches": 6, "litigant": 5, "litigants": 5,
    "adjudication": 5, "adjudicate": 5, "adjudicated": 5, "venue": 2, "impeach": 3.5,
    "privileged": 2, "suppression": 2.5, "entrapment": 5, "premeditated": 4,
    "premeditation": 5, "culpable": 4, "culpability": 4, "recklessness": 3.5,
    "accessory": 2, "solicitation": 3, "daubert": 6, "probative": 6, "prejudicial": 5,
    "personal jurisdiction": 6, "subject matter jurisdiction": 6, "class certification": 6,
    "directed verdict": 6, "new trial": 4, "en banc": 6, "stare decisis": 6,
    "federal rule": 5, "preliminary injunction": 6,
    "temporary restraining": 6, "pro se": 6, "sua sponte": 6, "voir dire": 6,
    "cross examination": 4, "attorney client": 6, "work product": 3,
    "exclusionary rule": 6, "motion to suppress": 6, "self incrimination": 6,
    "double jeopardy": 6, "confrontation clause": 6, "reasonable suspicion": 6,
    "warrantless": 6, "insanity defense": 6, "self defense": 3, "self defence": 3,
    "felony murder": 6, "actus reus": 6, "malice aforethought": 6, "sense impression": 6,
    "excited utterance": 6, "business records": 4, "party opponent": 5,
    "character evidence": 6, "relevant evidence": 5, "expert testimony": 6,
    "prior inconsistent": 6, "the prosecutor": 5, "the jury": 4, "a jury": 4,
    "trial court": 6, "appellate court": 6, "appeals court": 6, "court of appeals": 6,
    "the trial": 2, "at trial": 5, "criminal trial": 6, "civil action": 6,
    "cause of action": 6, "standing to sue": 6,
}

_CONSTITUTION_AND_BUSINESS = {
    "preemption": 5, "preempted": 5, "shareholder": 2.5, "shareholders": 2.5, "llc": 3,
    "incorporation": 2.5, "antitrust": 5, "strict scrutiny": 6, "rational basis": 6,
    "intermediate scrutiny": 6, "dormant commerce": 6, "takings clause": 6,
    "establishment clause": 6, "free exercise": 5, "free speech": 3,
    "freedom of speech": 3, "state action": 5, "article iii": 5, "separation of powers": 4,
    "supremacy clause": 6, "tenth amendment": 5, "fourteenth amendment": 5,
    "sixth amendment": 5, "eighth amendment": 5, "eleventh amendment": 5,
    "cruel and unusual": 5, "qualified immunity": 6, "sovereign immunity": 6,
    "section 1983": 6, "fiduciary duty": 6, "corporate veil": 6, "derivative suit": 6,
    "sherman act": 6, "limited partnership": 4, "general partner": 3,
    "insider trading": 3,
}

_JUDICIAL_ETHICS = {
    "impropriety": 5, "extrajudicial": 6, "disqualification": 3.5, "town justice": 6,
    "village justice": 6, "town court": 6, "village court": 6, "part time judge": 6,
    "judicial conduct": 6, "judicial ethics": 6, "judicial campaign": 6,
    "judicial candidate": 6, "a judge s": 5, "the judge s": 5, "judge s spouse": 6,
    "rules governing judicial": 6, "legal ethics": 6, "professional conduct": 5,
    "conflict of interest": 3,
}

_INTERNATIONAL = {
    "icj": 6, "ratify": 3, "ratified": 3, "ratification": 3.5, "sovereignty": 3,
    "genocide": 3, "unclos": 6, "echr": 6, "arbitral": 5, "nationality": 2.5,
    "reservations": 1.5, "convention": 1.5, "conventions": 1.5, "tribunals": 4,
    "un charter": 6, "security council": 4, "customary international": 6,
    "customary law": 6, "opinio juris": 6, "jus cogens": 6, "erga omnes": 6,
    "vienna convention": 6, "geneva convention": 5, "geneva conventions": 5,
    "hague convention": 6, "state immunity": 6, "diplomatic immunity": 6,
    "use of force": 4, "armed attack": 4, "humanitarian law": 6, "war crimes": 4,
    "crimes against humanity": 5, "territorial sea": 6, "exclusive economic zone": 6,
    "state responsibility": 6, "european court": 5, "rome statute": 6,
    "international court": 6, "international criminal": 6, "recognition of states": 6,
    "the icj": 6, "member states": 2, "a treaty": 4, "jure": 4, "ratione": 4, "jus": 4,
    "statehood": 3, "obligation": 1.5, "obligations": 1.5, "implied powers": 4,
    "international organisation": 3, "international organization": 3,
    "international organisations": 3, "international organizations": 3,
    "recognition of governments": 6, "self determination": 3, "state practice": 5,
    "council of europe": 4,
}

_JURISPRUDENCE = {
    "jurisprudence": 6, "jurist": 5, "jurists": 5, "positivism": 3, "positivist": 3,
    "positivists": 3, "kelsen": 5, "dworkin": 5, "grundnorm": 6, "legal positivism": 6,
    "natural law": 5, "positive law": 6, "legal realism": 6, "legal realist": 6,
    "legal realists": 6, "rule of recognition": 6, "rule of law": 5, "legal system": 5,
    "legal systems": 5, "legal theory": 6, "legal rules": 6, "critical legal": 6,
    "legal philosophy": 6, "philosophy of law": 6, "law and economics": 6,
    "primary rules": 3, "secondary rules": 3, "of law": 2, "the legal": 3, "savigny": 4,
    "volksgeist": 5, "critical race": 4, "legal scholars": 5,
}

LEGAL_DOCTRINE_RULE = DomainRule(
    "legal",
    {**_CONTRACTS, **_TORTS, **_PROPERTY_AND_WILLS, **_PROCEDURE,
     **_CONSTITUTION_AND_BUSINESS, **_JUDICIAL_ETHICS, **_INTERNATIONAL, **_JURISPRUDENCE},
    patterns=(
        # "Rule 12(b)(6)", "FRE 801(d)(2)", "Article 51": numbered provisions
        Pattern(r"(?:rule|article|section|art\.)\s?\d+(?:\([a-z0-9]+\))+", 4, lowercase=True,
                requires_chars="(", requires_words=frozenset({"rule", "article", "section", "art"})),
        Pattern(r"^\s*(?:may|must|should|can)\s+(?:a|the)\s+(?:part-time\s+|full-time\s+)?"
                r"(?:judge|justice|court attorney|law clerk|judicial)\b", 5, lowercase=True,
                requires_words=frozenset({"judge", "justice", "clerk", "judicial"})),
    ),
)
