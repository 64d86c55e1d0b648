"""Evidence that a query is about the human body as medicine studies it: anatomy
(bones, muscles, organs, nerves, vessels), physiology and laboratory values,
human genetics, biochemistry and nutrition, and microbiology. Basic biology words
that school science shares ('cell', 'protein', 'gene') weigh little: they need
company to make a query medical."""

from __future__ import annotations

from cascadeflow.domain.detection.rules import DomainRule, WordForm

_SKELETON_AND_MUSCLE = {
    "calcaneus": 5, "talus": 4, "navicular": 5, "tibia": 5, "fibula": 5, "humerus": 5,
    "ulna": 5, "scapula": 5, "clavicle": 5, "sternum": 5, "patella": 5, "vertebral": 5,
    "sacrum": 5, "coccyx": 5, "phalanges": 5, "metacarpal": 5, "metatarsal": 5,
    "carpal": 4, "tarsal": 4, "sphenoid": 5, "ethmoid": 5, "occipital": 4, "parietal": 4,
    "mandibular": 5, "hyoid": 5, "foramen": 5, "foramina": 5, "biceps": 3, "triceps": 3,
    "deltoid": 4, "quadriceps": 3.5, "hamstring": 3, "hamstrings": 3, "gluteal": 4,
    "gluteus": 4, "diaphragm": 3, "pectoralis": 5, "latissimus": 5, "rectus": 4,
    "sternocleidomastoid": 5, "flexor": 4, "extensor": 4, "flexion": 4, "abduction": 2.5,
    "adduction": 4.5, "abducted": 2, "adducted": 4.5, "pronation": 4.5, "supination": 4.5,
    "eversion": 4, "dorsiflexion": 5, "plantar": 4.5, "dorsal": 3, "ventral": 3,
    "anterior": 2, "posterior": 2, "medial": 3.5, "proximal": 2.5, "distal": 3,
    "bilateral": 2, "bilaterally": 3, "meniscus": 5, "acl": 4.5, "rotator cuff": 6,
    "carpal tunnel": 6, "musculoskeletal": 5, "skeletal muscle": 5, "fibres": 1,
    "twitch": 2, "rib": 2.5, "ribs": 2.5, "articulates": 4, "articular": 4, "facet": 1,
    "embryonic": 3, "mesoderm": 4, "ectoderm": 4, "endoderm": 4, "gastrulation": 4,
    "neurulation": 5, "somites": 4, "neural tube": 4, "spirometry": 5, "expiratory": 5,
    "inspiratory": 5, "inhalation": 2, "exhalation": 2, "peak flow": 5, "tidal volume": 5,
    "lung capacity": 4, "nail bed": 4, "henle": 5, "collecting duct": 5, "islets": 4,
    "langerhans": 5, "purkinje": 5, "sinoatrial": 5, "atrioventricular": 5, "sarcomere": 5,
    "actin": 4, "myosin": 4,
}

_ORGANS = {
    "epiglottis": 5, "larynx": 5, "pharynx": 5, "trachea": 5, "bronchi": 5, "bronchus": 5,
    "bronchial": 5, "alveoli": 5, "alveolar": 5, "pleura": 5, "pleural": 5, "uvula": 4,
    "tonsil": 5, "adenoids": 5, "thymus": 5, "spleen": 5, "splenic": 5, "ileum": 5,
    "jejunum": 5, "cecum": 5, "caecum": 5, "rectum": 5, "anus": 4, "anal": 3,
    "peritoneum": 5, "peritoneal": 5, "omentum": 5, "mesentery": 5, "ureter": 5,
    "urethra": 5, "nephron": 5, "glomerular": 5, "glomerulus": 5, "ovary": 5, "ovaries": 5,
    "uterus": 5, "fallopian": 5, "placenta": 5, "placental": 5, "umbilical": 4,
    "testes": 4, "testicle": 5, "testicular": 5, "scrotum": 5, "vagina": 4, "vaginal": 4.5,
    "penis": 4, "penile": 5, "nipple": 3, "armpit": 3, "groin": 3, "thigh": 2, "shin": 2,
    "forearm": 2, "jaw": 2, "gums": 3, "cornea": 5, "corneal": 5, "optic": 3, "retinal": 5,
    "cochlea": 5, "cochlear": 5, "eardrum": 4, "tympanic": 5, "vestibular": 4, "nasal": 3.5,
    "nostril": 3, "olfactory": 3, "brainstem": 4, "medulla": 4, "oblongata": 5, "pons": 3,
    "cerebellum": 4, "cerebral": 4, "cerebrum": 4, "thalamus": 4, "hippocampus": 3.5,
    "amygdala": 3, "neuron": 2.5, "neurone": 3, "neurones": 3, "dendrite": 3,
    "dendrites": 3, "axon": 3.5, "axons": 3.5, "synapse": 3, "synaptic": 3, "glial": 3.5,
    "myelin": 4, "neurotransmitter": 3.5, "neurotransmitters": 3.5, "acetylcholine": 4,
    "dopamine": 2.5, "serotonin": 2.5, "norepinephrine": 4.5, "adrenaline": 2.5,
    "baroreceptors": 5, "chemoreceptors": 5, "vagus": 5, "sympathetic": 2,
    "parasympathetic": 5, "autonomic": 4.5, "reflex": 2.5, "reflexes": 3, "plexus": 5,
    "innervates": 5, "innervation": 5, "innervated": 5, "sciatic": 5, "femoral": 5,
    "brachial": 5, "ulnar": 5, "carotid": 5, "jugular": 5, "coronary": 5, "capillary": 4,
    "capillaries": 4, "atria": 4, "ventricles": 4, "ventricular": 5, "atrial": 5,
    "mitral": 5, "tricuspid": 5, "aortic": 5, "heartbeat": 3, "airway": 3.5,
    "airways": 3.5, "brain stem": 4, "frontal lobe": 4, "temporal lobe": 4,
    "median nerve": 5, "cranial nerve": 6, "lower airway": 5, "small intestine": 5,
    "large intestine": 5, "stomach lining": 5, "white matter": 3, "grey matter": 3,
    "gray matter": 3,
}

_LABS = {
    "systolic": 5, "diastolic": 5, "ldl": 4.5, "hdl": 4.5, "triglycerides": 4, "a1c": 5,
    "hba1c": 5, "tsh": 5, "creatinine": 5, "bilirubin": 5, "albumin": 4, "ferritin": 5,
    "troponin": 5, "hematocrit": 5, "electrolytes": 3.5, "potassium": 1.5, "wbc": 5,
    "rbc": 5, "cbc": 5, "biomarker": 4, "biomarkers": 4, "ecg": 5, "ekg": 5,
    "electrocardiogram": 5, "echocardiogram": 5, "blood count": 5, "oxygen saturation": 6,
    "pulse oximeter": 6, "heart rhythm": 5, "blood cell": 5, "blood cells": 5,
    "blood vessels": 4, "blood flow": 4,
}

_GENETICS = {
    "autosomal": 5, "penetrance": 5, "consanguineous": 5, "pedigree": 3, "mendelian": 4,
    "polymorphism": 3, "polymorphisms": 3, "snp": 4, "snps": 4, "exon": 4, "exons": 4,
    "intron": 4, "introns": 4, "codon": 4, "codons": 4, "ribosome": 2.5, "ribosomes": 2.5,
    "mrna": 3, "trna": 3, "translocation": 3.5, "aneuploidy": 5, "monosomy": 5,
    "mosaicism": 5, "klinefelter": 5, "sickle": 3.5, "hemophilia": 5, "huntington": 4,
    "pku": 5, "brca": 5, "oncogene": 5, "heritability": 3, "heterozygote": 4,
    "heterozygotes": 4, "homozygote": 4, "homozygotes": 4, "genotypes": 3,
    "phenotypes": 2.5, "carrier": 1.5, "carriers": 1.5, "transcription": 1.5,
    "eukaryotes": 2, "x linked": 5, "sex linked": 4, "hardy weinberg": 4,
    "tumor suppressor": 5, "genetic testing": 5, "genetic counseling": 5,
    "genetic disorder": 5, "inherited disorder": 5, "de novo": 2, "genome wide": 4,
    "karyotypes": 4, "abnormality": 2.5, "abnormalities": 2.5, "congenital": 5,
    "birth defect": 5, "birth defects": 5, "protein coding": 3,
}

_BIOCHEMISTRY_AND_NUTRITION = {
    "lipid": 2.5, "lipids": 2.5, "lipoprotein": 4, "lipoproteins": 4, "apoprotein": 4,
    "apoproteins": 4, "triacylglycerol": 4, "triacylglycerols": 4, "fructose": 2,
    "lactose": 2, "folate": 4, "folic": 4, "thiamine": 4, "riboflavin": 4, "niacin": 4,
    "b12": 4, "iodine": 2, "micronutrient": 4, "micronutrients": 4, "macronutrient": 3.5,
    "macronutrients": 3.5, "malnutrition": 4.5, "undernutrition": 5, "stunting": 4,
    "kwashiorkor": 5, "marasmus": 5, "obese": 3, "overweight": 2.5, "bmr": 4,
    "metabolite": 3.5, "metabolites": 3.5, "glucagon": 4.5, "ketone": 3.5, "ketones": 3.5,
    "ketosis": 4, "ketoacidosis": 5, "gluconeogenesis": 4, "lipolysis": 4, "krebs": 3,
    "mitochondrial": 3, "phytic": 3, "epigenetic": 3, "glycemic": 4, "amino acid": 3,
    "amino acids": 3, "fatty acid": 3, "fatty acids": 3, "energy expenditure": 4,
    "nitrogen balance": 5, "body weight": 3, "body mass": 3, "body water": 4,
    "lean body": 4, "citric acid cycle": 3, "dietary fiber": 4, "dietary fibre": 4,
    "food intake": 3, "weight gain": 3, "oxygen uptake": 3, "deficient": 2,
    "deficiencies": 3, "protein intake": 4, "oral hygiene": 4,
}

_MICROBES = {
    "viruses": 3, "virion": 5, "virions": 5, "capsid": 5, "bacterium": 3, "pathogen": 4,
    "pathogens": 4, "pathogenic": 4.5, "microbe": 3, "microbes": 3, "microbial": 3,
    "antimicrobial": 5, "antiretroviral": 5, "incubation": 3, "transmissible": 3,
    "contagious": 4, "seroprevalence": 5, "serotype": 5, "serotypes": 5, "replication": 2,
    "immunity": 2, "aids": 2, "prep": 1.5, "host cell": 4, "host cells": 4, "rabies": 4,
    "ebola": 4, "zika": 4, "sars": 4, "mers": 3, "rsv": 5, "norovirus": 5,
    "rotavirus": 5, "salmonella": 4.5, "staph": 5, "mrsa": 5, "strep": 5,
    "unprotected sex": 4, "drug users": 4, "injecting drug": 5, "drug use": 3,
}

# virus names ('polyomavirus', 'astrovirus') and the cell words of histology ('hepatocyte')
_BODY_FORMS = WordForm(
    3,
    suffixes=("virus", "viruses", "viridae", "cyte", "cytes", "blast", "blasts", "emia",
              "emias", "osis"),
    min_length=9,
    cap=2,
)

MEDICAL_BODY_RULE = DomainRule(
    "medical",
    {**_SKELETON_AND_MUSCLE, **_ORGANS, **_LABS, **_GENETICS, **_BIOCHEMISTRY_AND_NUTRITION,
     **_MICROBES},
    word_forms=(_BODY_FORMS,),
)
