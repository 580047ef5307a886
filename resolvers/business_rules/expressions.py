"""A small, safe expression language for rule conditions and workflow guards — never ``eval``.

An expression is parsed with :mod:`ast` and only a whitelist of nodes is evaluated: literals,
names and dotted paths into the payload (``order.total``, ``items[0].sku``), comparisons
(``== != < <= > >= in not in``), ``and``/``or``/``not``, ``+ - * / %`` on numbers (exact
``Decimal`` arithmetic: ``0.1 + 0.2 == 0.3``) and ``len()``/``lower()``/``upper()``. Anything else
(calls, lambdas, comprehensions, dunder access, ...) is rejected when the rule is written, so a
stored rule always evaluates. ``true``/``false``/``null`` are accepted as JSON spellings.
A missing path is ``None``; comparing ``None`` with ``<`` is false rather than an error.
"""

from __future__ import annotations

import ast
import operator
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

MAX_LENGTH = 2000
MAX_DEPTH = 32
CONSTANTS = {"true": True, "false": False, "null": None, "True": True, "False": False, "None": None}
FUNCTIONS = {
    "len": lambda v: len(v) if isinstance(v, (str, list, dict)) else 0,
    "lower": lambda v: v.lower() if isinstance(v, str) else v,
    "upper": lambda v: v.upper() if isinstance(v, str) else v,
}
COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}


class ExpressionError(ValueError):
    """The expression is not in the language (or cannot be evaluated)."""


@lru_cache(maxsize=1024)
def compile_expression(source: str) -> ast.expr:
    """Parse and check ``source``; raise :class:`ExpressionError` when it leaves the language."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"Expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"Syntax error: {exc.msg}") from None
    _check(tree, 0)
    return tree


def _check(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ExpressionError("Expression nested too deeply")
    allowed = (
        ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare, ast.BinOp,
        ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Constant, ast.List, ast.Tuple, ast.Call,
        ast.In, ast.NotIn, *COMPARE, *ARITHMETIC,
    )  # fmt: skip
    if not isinstance(node, allowed):
        raise ExpressionError(f"Not allowed in an expression: {type(node).__name__}")
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        raise ExpressionError("Private attributes are not allowed")
    if isinstance(node, ast.Call) and (
        not isinstance(node.func, ast.Name)
        or node.func.id not in FUNCTIONS
        or node.keywords
        or len(node.args) != 1
    ):
        raise ExpressionError(f"Only {', '.join(FUNCTIONS)} of one argument may be called")
    if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
        raise ExpressionError("Unsupported literal")
    children = [node.args[0]] if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
    for child in children:
        _check(child, depth + 1)


def evaluate(source: str | None, payload: dict[str, Any]) -> bool:
    """The truth of ``source`` over ``payload`` (an empty expression is true)."""
    if source is None or not source.strip():
        return True
    try:
        return bool(_eval(compile_expression(source), payload))
    except (TypeError, ArithmeticError, InvalidOperation) as exc:
        raise ExpressionError(f"Cannot evaluate: {exc}") from None


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _numeric_string(value: Any) -> Any:
    """Payload numbers often travel as strings (exact decimals): compare them as numbers."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _member(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        return container.get(key if isinstance(key, str) else str(key))
    if isinstance(container, list) and isinstance(key, (int, Decimal)) and not isinstance(key, bool):
        index = int(key)
        return container[index] if -len(container) <= index < len(container) else None
    return None


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, (ast.In, ast.NotIn)):
        found = left in right if isinstance(right, (list, tuple, str, dict)) else False
        return found if isinstance(op, ast.In) else not found
    if isinstance(op, (ast.Eq, ast.NotEq)):
        if isinstance(left, Decimal) or isinstance(right, Decimal):
            left, right = _numeric_string(left), _numeric_string(right)
        return COMPARE[type(op)](left, right)
    if left is None or right is None:
        return False
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        left, right = _numeric_string(left), _numeric_string(right)
    try:
        return COMPARE[type(op)](left, right)
    except TypeError:
        return False


def _eval(node: ast.AST, payload: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return _number(node.value)
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return _number(payload.get(node.id))
    if isinstance(node, ast.Attribute):
        return _number(_member(_eval(node.value, payload), node.attr))
    if isinstance(node, ast.Subscript):
        return _number(_member(_eval(node.value, payload), _eval(node.slice, payload)))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_eval(e, payload) for e in node.elts]
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_eval(v, payload) for v in node.values)
        return any(_eval(v, payload) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, payload)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.Compare):
        left = _eval(node.left, payload)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, payload)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BinOp):
        left, right = _numeric_string(_eval(node.left, payload)), _numeric_string(_eval(node.right, payload))
        if isinstance(node.op, ast.Add) and isinstance(left, str) and isinstance(right, str):
            return left + right
        if not isinstance(left, Decimal) or not isinstance(right, Decimal):
            raise TypeError("arithmetic needs numbers")
        return ARITHMETIC[type(node.op)](left, right)
    if isinstance(node, ast.Call):
        return FUNCTIONS[node.func.id](_eval(node.args[0], payload))  # type: ignore[attr-defined]
    raise ExpressionError(f"Not allowed in an expression: {type(node).__name__}")
