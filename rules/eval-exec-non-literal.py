import ast
import builtins
from flask import request


def calc():
    expr = request.args.get("expr")
    # ruleid: eval-exec-non-literal
    result = eval(expr)

    # ruleid: eval-exec-non-literal
    eval("2 * " + expr)

    # ruleid: eval-exec-non-literal
    exec(f"result = {expr}", {}, {})

    # ruleid: eval-exec-non-literal
    builtins.eval(expr, {"__builtins__": {}})

    code = compile(expr, "<user>", "exec")
    # ruleid: eval-exec-non-literal
    exec(code)

    # ok: eval-exec-non-literal
    value = ast.literal_eval(expr)

    # ok: eval-exec-non-literal
    eval("1 + 1")

    # ok: eval-exec-non-literal
    exec("import this")

    # ok: eval-exec-non-literal
    df.eval("a + b")

    # ok: eval-exec-non-literal
    model.eval()

    # ok: eval-exec-non-literal
    total = df.eval(expr)
    return result
