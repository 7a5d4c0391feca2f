"""Cross-platform reconciliation (对账): rules as config, a pure pandas engine, sources
(the store file or the store server) and the report workbook."""

from agent.reconcile.engine import reconcile
from agent.reconcile.findings import RuleResult
from agent.reconcile.rules import FieldRule, Rule, load_rules
from agent.reconcile.sources import HttpSource, Reconciliation, StoreSource, run

__all__ = ["FieldRule", "HttpSource", "Reconciliation", "Rule", "RuleResult", "StoreSource",
           "load_rules", "reconcile", "run"]
