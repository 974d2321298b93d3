import jinja2
from jinja2 import Environment, FileSystemLoader, select_autoescape


def make_env(template_dir, options):
    # ruleid: jinja2-autoescape-disabled
    env = Environment(loader=FileSystemLoader(template_dir))

    # ruleid: jinja2-autoescape-disabled
    env2 = jinja2.Environment(loader=FileSystemLoader(template_dir), autoescape=False)

    # ruleid: jinja2-autoescape-disabled
    tpl = jinja2.Template("<p>{{ name }}</p>", autoescape=False)

    # ok: jinja2-autoescape-disabled
    env3 = Environment(loader=FileSystemLoader(template_dir), autoescape=select_autoescape(["html", "xml"]))

    # ok: jinja2-autoescape-disabled
    env4 = jinja2.Environment(autoescape=True)

    # ok: jinja2-autoescape-disabled
    env5 = jinja2.Environment(**options)

    # ok: jinja2-autoescape-disabled
    loader = FileSystemLoader(template_dir)
    return env, env2, tpl, env3, env4, env5, loader
