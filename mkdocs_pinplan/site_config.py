"""A site's configuration read without MkDocs: ``mkdocs.yml``, ``properdocs.yml`` or
``zensical.toml``, reduced to what pinplan needs (paths, URLs, the blog's URL rules and the
plugin's raw options)."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml_env_tag import construct_env_tag

from .errors import PinplanError, shown

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml", "zensical.toml")
"""Looked for, in this order, in the working directory when no file is named."""
_SITE = dict(site_name="", site_url="", docs_dir="docs", site_dir="site", use_directory_urls=True)
"""MkDocs' defaults of the site options pinplan reads."""
_KINDS = {str: "text", bool: "true or false", int: "a whole number"}
_BLOGS = ("blog", "material/blog")  # Material's blog plugin, by either name


class BlogSettings(NamedTuple):
    """The options of Material's (or Zensical's) blog plugin that decide a post's URL."""

    blog_dir: str = "blog"
    post_dir: str = "{blog}/posts"
    post_url_format: str = "{date}/{slug}"
    post_url_date_format: str = "yyyy/MM/dd"
    post_url_max_categories: int = 1
    post_slugify_separator: str = "-"
    categories_slugify_separator: str = "-"
    draft_if_future_date: bool = False

    def post_globs(self) -> list[str]:
        """The globs (relative to docs_dir) of the blog's posts."""
        blog = posixpath.normpath(self.blog_dir)
        prefix = posixpath.normpath(self.post_dir.format(blog=blog)).lstrip("./")
        return [f"{prefix}/**"] if prefix not in ("", ".") else ["**"]


class SiteConfig(NamedTuple):
    """What pinplan needs of a site's configuration file (attribute names as MkDocs')."""

    site_name: str
    site_url: str | None  # ends with "/" when set, as MkDocs makes it
    docs_dir: str  # absolute, as site_dir
    site_dir: str
    use_directory_urls: bool
    language: str
    blog: BlogSettings | None  # None: the blog plugin is not on
    pinplan: Mapping[str, Any] | None  # the plugin's options as written; None: not listed


class _Loader(yaml.SafeLoader):
    """YAML as MkDocs reads it: ``!ENV`` is honoured; other tags (``!!python/name:…``,
    ``!relative``) only matter to MkDocs itself and read as their plain value."""


def _other_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node) or None
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Loader.add_constructor("!ENV", construct_env_tag)
_Loader.add_multi_constructor("", _other_tag)


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` deep-merged onto ``base`` (as MkDocs merges ``INHERIT``)."""
    merged = dict(base)
    for key, value in override.items():
        both = isinstance(value, Mapping) and isinstance(merged.get(key), Mapping)
        merged[key] = _merge(dict(merged[key]), value) if both else value
    return merged


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The options in ``path``: YAML as MkDocs reads it (with ``INHERIT``), or the
    ``[project]`` table of a TOML file."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PinplanError(name, None, f"cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise PinplanError(name, None, f"not UTF-8 text: {exc}") from None
    if path.suffix == ".toml":
        import tomllib  # here: MkDocs builds never read TOML

        try:
            project = tomllib.loads(text).get("project", {})
        except tomllib.TOMLDecodeError as exc:
            raise PinplanError(name, None, f"invalid TOML: {exc}") from None
        if not isinstance(project, dict):
            raise PinplanError(name, "project", "expected a table")
        return project
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise PinplanError(name, None, f"invalid YAML{where}: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PinplanError(name, None, f"expected a mapping of options, got {type(data).__name__}")
    parent = data.pop("INHERIT", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise PinplanError(name, "INHERIT", f"expected a file path, got {parent!r}")
    parent_path = (path.parent / parent).resolve()
    if parent_path in seen:
        raise PinplanError(name, "INHERIT", f"inherits from itself through {parent}")
    if not parent_path.is_file():
        raise PinplanError(name, "INHERIT", f"no such file: {parent}")
    return _merge(_read(parent_path, (*seen, path.resolve())), data)


def _plugins(raw: object, file: str) -> dict[str, Mapping[str, Any]]:
    """The ``plugins`` option (a list of names and one-key mappings, or a mapping): each
    plugin's options (``{}`` for none) by name; of a plugin listed twice, the first."""
    if raw is None or isinstance(raw, Mapping):
        raw = [{key: value} for key, value in (raw or {}).items()]
    if not isinstance(raw, list):
        raise PinplanError(file, "plugins", f"expected a list or mapping, got {raw!r}")
    plugins: dict[str, Mapping[str, Any]] = {}
    for item in raw:
        entry = {item: {}} if isinstance(item, str) else item
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise PinplanError(file, "plugins", f"expected a name or a one-key mapping: {item!r}")
        ((key, options),) = entry.items()
        options = {} if options is None else options
        if not isinstance(options, Mapping):
            raise PinplanError(file, f"plugins.{key}", f"expected a mapping, got {options!r}")
        # MkDocs lists a plugin again as `name #2`.
        plugins.setdefault(str(key).split(" #")[0], options)
    return plugins


def _typed(
    options: Mapping[str, Any], defaults: dict[str, Any], file: str, prefix: str = ""
) -> Any:
    """The ``options`` named in ``defaults``, each of its default's type (missing or null: the
    default)."""
    values = dict(defaults)
    for key, default in defaults.items():
        value = options.get(key)
        if value is not None and type(value) is not type(default):
            kind = _KINDS[type(default)]
            raise PinplanError(file, prefix + key, f"expected {kind}, got {shown(value)}")
        values[key] = default if value is None else value
    return values


def read_site_config(path: Path) -> SiteConfig:
    """Read ``path`` (YAML for MkDocs and ProperDocs, TOML for Zensical); a
    :class:`PinplanError` names the file and option for anything it cannot use."""
    name = str(path)
    data = _read(path)
    root = path.resolve().parent
    plugins = _plugins(data.get("plugins"), name)
    site = _typed(data, _SITE, name)
    url = site["site_url"]
    theme = data.get("theme")
    language = theme.get("language") if isinstance(theme, Mapping) else None
    blog, options = None, next((v for k, v in plugins.items() if k in _BLOGS), None)
    if options is not None and options.get("enabled", True) is not False:
        blog = BlogSettings(**_typed(options, BlogSettings()._asdict(), name, "plugins.blog."))
    return SiteConfig(
        site_name=site["site_name"],
        site_url=(url if url.endswith("/") else f"{url}/") if url else None,
        docs_dir=str(root / site["docs_dir"]),
        site_dir=str(root / site["site_dir"]),
        use_directory_urls=site["use_directory_urls"],
        language=str(language or "en"),
        blog=blog,
        pinplan=plugins.get("pinplan"),
    )
