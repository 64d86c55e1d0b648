"""The plan's ``cascadeflow/routing/semantic_router.py`` (opt-in: ``pip install
'cascadeflow[routing]'``): domain detection from sentence embeddings, and routes
defined by example queries.

    from cascadeflow import CascadeAgent
    from cascadeflow.routing.semantic_router import SemanticDomainDetector

    detector = SemanticDomainDetector()
    detector.add_route("finance", ["Is an index fund better than an ETF?",
                                   "How are dividends taxed?"])
    agent = CascadeAgent(models, enable_multi_step_cascade=True, domain_detector=detector)

Example routes come first; then the rule-based ``DomainDetector`` decides whenever it
names a specialised domain; a query it leaves ``general`` goes to a logistic regression
over WordLlama embeddings (a model that ships inside its PyPI package: nothing
downloads), fitted on public labelled queries (``scripts/train_domain_model.py``,
sources in NOTICE), which names a domain only when 95% sure.
``benchmarks/detector_holdout.py`` measures both detectors side by side: the embeddings
add little on unseen sources, so the rule-based detector stays the default.
"""

from cascadeflow.adapters.semantic import SemanticDomainDetector

__all__ = ["SemanticDomainDetector"]
