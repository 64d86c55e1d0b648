"""The plan's ``cascadeflow/routing/semantic_router.py`` (opt-in: ``pip install
'cascadeflow[routing]'``): domain detection from sentence embeddings, and routes
defined by example queries.

    from cascadeflow import CascadeAgent
    from cascadeflow.routing.semantic_router import SemanticDomainDetector

    detector = SemanticDomainDetector()
    detector.add_route("finance", ["Is an index fund better than an ETF?",
                                   "How are dividends taxed?"])
    agent = CascadeAgent(models, enable_multi_step_cascade=True, domain_detector=detector)

The built-in domains come from a logistic regression over WordLlama embeddings (a model
that ships inside its PyPI package: nothing downloads), fitted on the same public
labelled queries as the default ``DomainDetector``; ``benchmarks/routing_bench.py``
measures both side by side. The default detector stays the learned word model: it is
faster and needs no extra.
"""

from cascadeflow.adapters.semantic import SemanticDomainDetector

__all__ = ["SemanticDomainDetector"]
