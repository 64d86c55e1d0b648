"""Evidence that a query is about care: what patients describe (symptoms, common
conditions), what they take (medicines by generic and brand name, how to take them),
what clinicians do (procedures, bedside care) and how clinical research asks its
questions ('in patients with', 'postoperative outcomes')."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, Pattern, WordForm

_SYMPTOMS = {
    "spotting": 2, "menstruation": 5, "cramp": 4, "herniated": 5,
    "sciatica": 5, "hives": 4, "welts": 3.5, "pimple": 3, "pimples": 3, "wart": 4,
    "warts": 4, "dandruff": 3, "sunburn": 3, "bleed": 2.5, "nosebleed": 4, "nosebleeds": 4,
    "pus": 4, "chills": 4, "congestion": 1.5, "sneezing": 3.5, "wheezing": 5, "phlegm": 5,
    "mucus": 4, "heartburn": 5, "indigestion": 5, "bloating": 4.5, "bloated": 3.5,
    "hemorrhoids": 5, "incontinence": 5, "snoring": 3.5, "drowsiness": 4, "drowsy": 3,
    "fainting": 4, "fainted": 4, "earache": 5, "toothache": 5, "cavities": 3, "numb": 3,
    "paralysis": 4, "paralyzed": 3.5, "limping": 3, "whiplash": 4, "nauseous": 5,
    "lightheaded": 4, "knuckles": 3, "knuckle": 3, "unconscious": 3, "dehydrated": 3, "dehydration": 3.5,
    "runny nose": 5, "stuffy nose": 5, "hair loss": 3.5, "dry skin": 3, "blurred vision": 5,
    "blurry vision": 5, "hearing loss": 4.5, "pulled muscle": 5, "shin splints": 6,
    "warning signs": 2.5, "signs of": 2, "blood in": 3, "back pain": 5, "stomach ache": 5,
    "stomach pain": 5, "joint pain": 5, "neck pain": 5, "knee pain": 5, "lower back": 3,
    "hurts when": 3, "it hurts": 2.5, "feel dizzy": 5, "trouble breathing": 5,
    "trouble sleeping": 3, "short of breath": 5, "high fever": 5, "low grade": 3,
    "between periods": 5, "my period": 4, "heavy periods": 5, "sores": 3.5, "canker": 5,
    "puffy": 2, "popping": 1, "clicking": 1, "teething": 4, "diaper rash": 6, "meds": 3,
    "toddler": 1, "is it normal": 2, "should i worry": 2.5, "be worried": 1.5,
    "worry about": 1, "see a doctor": 4, "to the doctor": 3.5, "what could cause": 2.5,
    "what causes": 1.5, "could be causing": 2, "symptom of": 4, "swallowed": 2.5,
    "ingested": 3.5, "poisoning": 3.5, "poison control": 6, "need stitches": 5,
    "needs stitches": 5, "leg cramps": 5, "muscle cramps": 5,
}

_EVERYDAY_CARE = {
    "depressed": 2.5, "suicidal": 4, "therapist": 2, "counseling": 1.5, "psychiatrist": 4,
    "self harm": 4, "root canal": 5, "wisdom teeth": 5, "contact lenses": 3, "lasik": 5,
    "floaters": 3, "ear wax": 4, "rosacea": 5, "skin cancer": 5, "sunscreen": 2,
    "checkup": 3, "check up": 1.5, "pediatrician": 4, "dermatologist": 4,
    "cardiologist": 4, "neurologist": 4, "gynecologist": 4, "urologist": 4,
    "oncologist": 4, "ob gyn": 4, "urgent care": 5, "er visit": 4, "the er": 3,
    "newborn baby": 3, "my baby": 1.5, "breast milk": 3, "formula feeding": 3,
    "vaccine schedule": 5, "physical therapist": 4, "blood donation": 3,
}

_CONDITIONS = {
    "croup": 5, "mononucleosis": 5, "chickenpox": 5, "measles": 5, "mumps": 5,
    "rubella": 5, "shingles": 5, "polio": 5, "tetanus": 5, "lyme": 5, "coronavirus": 4,
    "uti": 5, "gerd": 5, "ibs": 5, "copd": 5, "ckd": 5, "chf": 5, "dvt": 5, "afib": 5,
    "ptsd": 4, "ocd": 4, "anorexia": 4.5, "bulimia": 5, "gout": 5, "anemic": 5, "celiac": 5,
    "gluten": 2, "crohn": 5, "cirrhosis": 5, "gallstones": 5, "cataracts": 5, "macular": 5,
    "endometriosis": 5, "pcos": 5, "fibroids": 5, "miscarriage": 5, "preeclampsia": 5,
    "eclampsia": 5, "ectopic": 5, "stillbirth": 5, "arrhythmia": 5, "tachycardia": 5,
    "bradycardia": 5, "hypoxia": 5, "hypoxic": 5, "concussions": 4.5, 
    "alzheimers": 5, "strokes": 3, "infarction": 5, "aneurysm": 5, "embolism": 5,
    "angina": 5, "kidney stones": 5, "kidney stone": 5, "lactose intolerance": 4,
    "e coli": 3, "blood clotting": 5, "type 2 diabetes": 5, "type 1 diabetes": 5,
    "heart murmur": 5, "acid reflux": 5, "strep throat": 6, "pink eye": 5,
    "cold sore": 5, "cold sores": 5, "yeast infection": 6, "ear infection": 6,
    "sinus infection": 6, "food poisoning": 5, "sleep paralysis": 5,
}

_MEDICINES = {
    "naproxen": 5, "aleve": 4, "excedrin": 5, "zpack": 5, "cipro": 5, "keflex": 5,
    "cephalexin": 5, "flagyl": 5, "bactrim": 5, "lasix": 5, "coumadin": 5, "eliquis": 5,
    "xarelto": 5, "apixaban": 5, "rivaroxaban": 5, "clopidogrel": 5, "plavix": 5,
    "lipitor": 5, "crestor": 5, "zocor": 5, "glipizide": 5, "januvia": 5, "ozempic": 5,
    "semaglutide": 5, "trulicity": 5, "jardiance": 5, "lantus": 5, "humalog": 5,
    "synthroid": 5, "medrol": 5, "cortisone": 5, "prilosec": 5, "nexium": 5, "pepcid": 5,
    "zantac": 5, "imodium": 5, "loperamide": 5, "miralax": 5, "dulcolax": 5, "zyrtec": 5,
    "claritin": 5, "flonase": 5, "sudafed": 5, "mucinex": 5, "dayquil": 5, "nyquil": 5,
    "robitussin": 5, "dextromethorphan": 5, "guaifenesin": 5, "pseudoephedrine": 5,
    "diphenhydramine": 5, "loratadine": 5, "cetirizine": 5, "sertraline": 5,
    "venlafaxine": 5, "effexor": 5, "cymbalta": 5, "bupropion": 5, "wellbutrin": 5,
    "trazodone": 5, "mirtazapine": 5, "buspirone": 5, "ativan": 5, "klonopin": 5,
    "zolpidem": 5, "adderall": 5, "ritalin": 5, "vyvanse": 5, "methylphenidate": 5,
    "amphetamine": 4, "seroquel": 5, "abilify": 5, "aripiprazole": 5, "risperidone": 5,
    "olanzapine": 5, "lamotrigine": 5, "lamictal": 5, "topiramate": 5, "topamax": 5,
    "levetiracetam": 5, "keppra": 5, "depakote": 5, "valproate": 5, "phenytoin": 5,
    "dilantin": 5, "lyrica": 5, "pregabalin": 5, "neurontin": 5, "cyclobenzaprine": 5,
    "flexeril": 5, "hydrocodone": 5, "vicodin": 5, "percocet": 5, "norco": 5,
    "suboxone": 5, "buprenorphine": 5, "methadone": 5, "naloxone": 5, "narcan": 5,
    "naltrexone": 5, "methotrexate": 5, "humira": 5, "plaquenil": 5,
    "hydroxychloroquine": 5, "chloroquine": 5, "ivermectin": 5, "ventolin": 5,
    "symbicort": 5, "advair": 5, "epipen": 5, "finasteride": 5, "tamsulosin": 5,
    "flomax": 5, "cialis": 5, "sildenafil": 5, "tadalafil": 5, "estradiol": 5,
    "premarin": 5, "clomid": 5, "letrozole": 5, "tamoxifen": 5, "spironolactone": 5,
    "accutane": 5, "isotretinoin": 5, "tretinoin": 5, "minoxidil": 5, "rogaine": 5,
    "probiotic": 3, "probiotics": 3, "antacids": 5, "laxative": 5, "laxatives": 5,
    "diuretic": 5, "diuretics": 5, "statins": 5, "milligrams": 4, "overdosed": 5,
    "refill": 3, "refills": 3, "otc": 3.5, "xr": 2.5, "succinylcholine": 5, "halothane": 5,
    "primaquine": 5, "benzodiazepine": 5, "benzodiazepines": 5, "anticonvulsant": 5,
    "antipsychotic": 5, "antipsychotics": 5, "vaccinations": 4,
    "beta blocker": 6, "beta blockers": 6, "ace inhibitor": 6, "ace inhibitors": 6,
    "blood thinner": 6, "blood thinners": 6, "muscle relaxant": 5, "extended release": 4,
    "missed dose": 6, "double dose": 5, "twice a day": 3, "once a day": 3,
    "twice daily": 4, "once daily": 4, "take it with": 2.5,
    "safe to take": 5, "okay to take": 5, "ok to take": 5, "can i take": 3.5,
    "should i take": 3, "taking it": 1, "the pill": 2.5, "birth control pill": 6,
    "flu shot": 5, "booster shot": 5, "prescribed me": 5,
}

_CARE_AND_RESEARCH = {
    "clinically": 4, "neonates": 5, "preterm": 5, "gestational": 5, "gestation": 5,
    "perinatal": 5, "maternal": 3, "postmenopausal": 5, "resection": 5, "anastomosis": 5,
    "suture": 4, "sutures": 4, "incision": 4, "graft": 3.5, "grafts": 3.5,
    "prosthesis": 4, "prosthetic": 4, "histology": 4, "histological": 4.5,
    "histopathological": 5, "immunohistochemistry": 5, "sonographic": 5,
    "radiographic": 5, "tomography": 5, "hospitalised": 4, "readmission": 5,
    "readmissions": 5, "triage": 4, "paramedic": 3.5, "paramedics": 3.5, "ambulance": 3,
    "hospice": 4.5, "palliative": 5, "cannula": 5, "catheterization": 5,
    "venepuncture": 5, "venipuncture": 5, "cannulation": 5, "tourniquet": 4,
    "bandage": 3, "splint": 4, "crutches": 3, "stitches": 3, "defibrillator": 5,
    "sputum": 5, "stoma": 4, "peristomal": 5, "excoriation": 4, "clubbing": 3, "auscultation": 5, "palpation": 5, "proprioception": 4,
    "nociception": 4, "gait": 3, "retrospective": 3, "randomised": 3, "predictors": 2,
    "predictor": 2, "survival": 2, "outcomes": 1.5, "elderly": 1.5, "caregiver": 2,
    "caregivers": 2, "rehabilitation": 2.5, "screening": 2, "specificity": 2,
    "mammogram": 5, "epidural": 5, "iud": 5, "condom": 3, "condoms": 3, "spermicide": 5,
    "in situ": 2, "nursing home": 3, "physical therapy": 4, "occupational therapy": 4,
    "first aid": 4, "pap smear": 6, "follow up": 1.5, "meta analysis": 3,
    "systematic review": 3, "length of stay": 4, "adverse events": 5, "adverse effects": 5,
    "patients with": 5, "children with": 4, "women with": 3, "adults with": 4,
    "men with": 3, "infants with": 5, "people with": 1.5, "associated with": 1,
    "risk of": 1.5, "the risk": 1, "older adults": 2, "health outcome": 4,
    "health outcomes": 4, "quality of life": 2.5, "is associated": 2, "are associated": 2,
    "treated with": 3, "treated for": 3, "admitted to": 2, "surgical treatment": 5,
    "tissue damage": 4, "human subjects": 3, "informed consent": 3, "the elderly": 2,
    "medical school": 4, "medical student": 4, "medical students": 4,
}

# more stems of generic drug names ('hydroxyzine', 'oxycodone', 'sildenafil', 'apixaban')
_MORE_DRUG_FORMS = WordForm(
    4,
    suffixes=("zine", "done", "afil", "tadine", "xaban", "gatran", "gliflozin", "glutide",
              "prost", "estrel", "oxone"),
    min_length=9,
    cap=2,
)

MEDICAL_CARE_RULE = DomainRule(
    "medical",
    {**_SYMPTOMS, **_EVERYDAY_CARE, **_CONDITIONS, **_MEDICINES, **_CARE_AND_RESEARCH},
    patterns=(
        # "every 4-6 hours", "500 mg twice": how often, as prescriptions put it
        Pattern(r"\bevery \d+(?:\s?-\s?\d+)? hours\b", 3, lowercase=True,
                requires_words=frozenset({"every"})),
        # spine levels: "L5-S1", "C5-C6"
        Pattern(r"[LCTS][1-7]\s?-\s?[LCTS][1-7]\b", 3, requires_chars="-",
                requires_words=frozenset(f"{c}{n}" for c in "lcts" for n in range(1, 8))),
    ),
    word_forms=(_MORE_DRUG_FORMS,),
)
