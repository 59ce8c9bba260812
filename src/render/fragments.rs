//! Fragments: the output of one component call, kept and reused by `serve`.
//!
//! The long list pages of a large review (every case study as a card, every contested claim
//! with its findings) are megabytes of HTML made of one component called once per item.
//! After an edit in `serve` most of those items are unchanged. A page template that calls
//! `cached(component="case_card", cs=cs, level=2)` instead of `<case_card cs={cs} level={2} />`
//! gets the same HTML, and `serve` renders only the calls whose inputs are new since the
//! last rebuild. A one-off build renders every call ([`Store::passing`]).
//!
//! A fragment is keyed by the component's name and everything it can read: its arguments,
//! and the page's values of every `@implicit` argument any component declares (a value the
//! page takes from the global context is left out of the key; the whole store is dropped
//! when the templates or the global context change, see [`Fragments::start`]). A list or
//! map argument is keyed by its identity, not its contents: template values are immutable
//! and shared (see `values`), and an entry holds its arguments, so an address cannot be
//! reused for a different value while the entry that names it exists. A changed item is a
//! new value, so it can never be served an old fragment.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tera::{Context, Function, Kwargs, State, Tera, TeraResult, Value};

use super::values::Digest;

/// The name templates call: `cached(component="…", …arguments…)`.
const FUNCTION: &str = "cached";

/// The name templates call for a whole list: `cached_list(component="…", each=items,
/// as="…", before="…", after="…", …arguments…)`.
const LIST_FUNCTION: &str = "cached_list";

/// The argument that names the component.
const COMPONENT_ARG: &str = "component";

/// `cached_list`'s own arguments: the list, the name each item is passed to the component
/// as, and the text written before and after each item's fragment.
const EACH_ARG: &str = "each";
const AS_ARG: &str = "as";
const BEFORE_ARG: &str = "before";
const AFTER_ARG: &str = "after";
const LIST_ARGS: [&str; 5] = [COMPONENT_ARG, EACH_ARG, AS_ARG, BEFORE_ARG, AFTER_ARG];

/// One component call's output (a safe string, which clones by reference count), with the
/// arguments whose identity its key names.
#[derive(Clone)]
struct Fragment {
    html: Value,
    _held: Arc<[Value]>,
}

/// Fragments kept between renders, for `serve`.
#[derive(Default)]
pub(crate) struct Fragments {
    /// The templates and global context the fragments were rendered with.
    shared: Option<Digest>,
    kept: HashMap<Digest, Fragment>,
    /// The last render's fragments still being sorted out, on a thread of their own (see
    /// [`Fragments::finish`]); they replace `kept` when the next render starts.
    sorting: Option<JoinHandle<HashMap<Digest, Fragment>>>,
}

impl Fragments {
    /// The store for a render with templates and globals of digest `shared`: this one's
    /// fragments if they were rendered with the same, else none. After the render,
    /// [`Fragments::finish`] keeps those the site's pages hold.
    pub(super) fn start(&mut self, shared: Digest) -> Arc<Store> {
        self.settle();
        let previous = if self.shared == Some(shared) {
            std::mem::take(&mut self.kept)
        } else {
            HashMap::new()
        };
        self.shared = Some(shared);
        Arc::new(Store {
            previous,
            current: Mutex::new(HashMap::new()),
            keep: true,
        })
    }

    /// Keeps the fragments that the site's pages hold (`live`: those of each page rendered
    /// now and of each page kept from the last render), and drops the rest. Call it once
    /// the render is over: `store` is then no longer shared, and its fragments move here
    /// instead of being copied. The sorting runs on a thread of its own, off the edit's
    /// path (at 10,000 case studies the list pages hold over 100,000 fragments: about
    /// 15 ms); the next render waits for it, long done by then.
    pub(super) fn finish(&mut self, store: Arc<Store>, live: Vec<Used>) {
        let sort = move || {
            let (mut previous, mut current) = Store::into_parts(store);
            live.iter()
                .flat_map(|page| page.iter())
                .filter_map(|key| {
                    let fragment = current.remove(key).or_else(|| previous.remove(key))?;
                    Some((*key, fragment))
                })
                .collect()
        };
        self.kept = HashMap::new();
        // Without a thread, nothing is kept: the next render makes its fragments again.
        self.sorting = std::thread::Builder::new()
            .name("tessera-fragments".to_string())
            .spawn(sort)
            .ok();
    }

    /// Waits for the fragments being sorted out, if any. Should the sorting have panicked,
    /// none are kept, and the next render makes its fragments again.
    fn settle(&mut self) {
        if let Some(sorting) = self.sorting.take() {
            self.kept = sorting.join().unwrap_or_default();
        }
    }

    /// Keeps the last render's fragments, for a render after which the site's pages hold
    /// the same ones (see `render_cached`): nothing to sort out of the store then, which
    /// after an edit of one body at 10,000 case studies took 25 ms.
    pub(super) fn keep_last(&mut self, store: Arc<Store>) {
        self.sorting = None;
        self.kept = Store::into_parts(store).0;
    }
}

/// The fragments of one render: those kept from the last render, and those rendered so far
/// in this one.
pub(crate) struct Store {
    /// Read-only during the render, so the many hits need no lock.
    previous: HashMap<Digest, Fragment>,
    current: Mutex<HashMap<Digest, Fragment>>,
    /// Whether fragments are kept at all. A one-off build could reuse a card that several
    /// listing pages show, but at 10,000 case studies holding every card until the last
    /// page was written took 30 MB more and saved no time.
    keep: bool,
}

impl Store {
    /// A store that keeps nothing: every call renders its component.
    pub(crate) fn passing() -> Arc<Store> {
        Arc::new(Store {
            previous: HashMap::new(),
            current: Mutex::new(HashMap::new()),
            keep: false,
        })
    }

    /// The last render's fragments and this one's, moved out when the render is over (and
    /// the store no longer shared), else copied.
    fn into_parts(store: Arc<Store>) -> (HashMap<Digest, Fragment>, HashMap<Digest, Fragment>) {
        match Arc::try_unwrap(store) {
            Ok(store) => (
                store.previous,
                store
                    .current
                    .into_inner()
                    .unwrap_or_else(PoisonError::into_inner),
            ),
            Err(store) => (
                store.previous.clone(),
                std::mem::take(&mut *lock(&store.current)),
            ),
        }
    }

    /// The output of the call keyed `key`, if the last render or this one made it.
    fn get(&self, key: &Digest) -> Option<Value> {
        if let Some(found) = self.previous.get(key) {
            return Some(found.html.clone());
        }
        lock(&self.current).get(key).map(|found| found.html.clone())
    }

    fn put(&self, key: Digest, fragment: Fragment) {
        lock(&self.current).insert(key, fragment);
    }
}

fn lock(
    fragments: &Mutex<HashMap<Digest, Fragment>>,
) -> std::sync::MutexGuard<'_, HashMap<Digest, Fragment>> {
    fragments.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The fragments one page holds, by key.
pub(crate) type Used = Arc<[Digest]>;

thread_local! {
    /// The keys of the fragments the page being rendered on this thread has used so far.
    static USED: RefCell<Option<Vec<Digest>>> = const { RefCell::new(None) };
}

/// Renders one page with `render`, and says which fragments it holds: a page kept for the
/// next render keeps its fragments with it, so that they are there when a later edit
/// renders its list again.
pub(super) fn recording<T>(render: impl FnOnce() -> T) -> (T, Used) {
    let outer = USED.with(|used| used.replace(Some(Vec::new())));
    let out = render();
    let used = USED.with(|used| used.replace(outer)).unwrap_or_default();
    (out, used.into())
}

/// Notes that the page being rendered on this thread holds the fragment `key`.
fn note_use(key: Digest) {
    USED.with(|used| {
        if let Some(used) = used.borrow_mut().as_mut() {
            used.push(key);
        }
    });
}

/// Registers the stand-in for `cached` that templates are compiled with. It stays in the
/// copy of the templates that renders cached components, so a component that `cached`
/// renders and that calls `cached` itself gets an error saying so.
pub(super) fn register_stand_in(tera: &mut Tera) {
    for name in [FUNCTION, LIST_FUNCTION] {
        tera.register_function(name, move |_: Kwargs, _: &State| -> TeraResult<Value> {
            Err(tera::Error::message(format!(
                "`{name}(component=…)` was called by a component that `{FUNCTION}` or `{LIST_FUNCTION}` renders; call components directly there, and `{name}` from page templates"
            )))
        });
    }
}

/// Registers `cached` on `outer`, rendering components with `inner` (the same templates
/// and globals: a component rendered on its own sees what it would see inside a page).
pub(super) fn register(outer: &mut Tera, mut inner: Tera, store: Arc<Store>) {
    let implicits = implicit_names(&inner);
    let globals = inner.global_context().clone();
    let cached = Arc::new(Cached {
        tera: inner,
        globals,
        implicits,
        store,
    });
    outer.register_function(FUNCTION, CachedOne(cached.clone()));
    outer.register_function(LIST_FUNCTION, CachedList(cached));
}

/// Every name that some component takes as an `@implicit` argument.
fn implicit_names(tera: &Tera) -> Vec<String> {
    let mut names: Vec<String> = tera
        .get_component_names()
        .filter_map(|name| tera.get_component_definition(name))
        .flat_map(|info| {
            info.args()
                .iter()
                .filter(|arg| arg.is_implicit())
                .map(|arg| arg.name().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `cached` function.
struct Cached {
    tera: Tera,
    globals: Context,
    implicits: Vec<String>,
    store: Arc<Store>,
}

/// One call of `cached`: the component, its arguments, and the page's values of the
/// implicit arguments.
struct Call<'a> {
    component: &'a str,
    args: Vec<(&'a str, &'a Value)>,
    implicits: Vec<(&'a str, Value)>,
    autoescape: bool,
}

impl Cached {
    /// The call `kwargs` asks for, leaving out the arguments named in `own` (those of
    /// `cached` or `cached_list` itself).
    fn call_of<'a>(
        &'a self,
        kwargs: &'a Kwargs,
        own: &[&str],
        state: &State,
    ) -> TeraResult<Call<'a>> {
        let component = kwargs.must_get::<&str>(COMPONENT_ARG)?;
        let args = kwargs
            .iter()
            .filter_map(|(key, value)| Some((key.as_str()?, value)))
            .filter(|(key, _)| !own.contains(key))
            .collect();
        let mut implicits = Vec::with_capacity(self.implicits.len());
        for name in &self.implicits {
            if let Some(value) = state.get::<Value>(name)? {
                implicits.push((name.as_str(), value));
            }
        }
        Ok(Call {
            component,
            args,
            implicits,
            autoescape: state.autoescaping_enabled(),
        })
    }

    /// The call's key, and the values it names by identity; `None` if it cannot be keyed.
    /// Arguments are taken in name order, whatever order the template wrote them in. A
    /// global is left out: it is the same for every page of a render, and a new global
    /// context starts a new store.
    fn key(&self, call: &Call) -> Option<(Digest, Vec<Value>)> {
        let mut hasher = blake3::Hasher::new();
        let mut held = Vec::new();
        hash_text(&mut hasher, call.component);
        let mut args: Vec<&(&str, &Value)> = call.args.iter().collect();
        args.sort_unstable_by_key(|(name, _)| *name);
        for (name, value) in args {
            hash_text(&mut hasher, "arg");
            hash_text(&mut hasher, name);
            hash_value(&mut hasher, value, &mut held).then_some(())?;
        }
        let is_global = |name: &str, value: &Value| {
            self.globals
                .get(name)
                .is_some_and(|global| same(global, value))
        };
        for (name, value) in call.implicits.iter().filter(|(n, v)| !is_global(n, v)) {
            hash_text(&mut hasher, "implicit");
            hash_text(&mut hasher, name);
            hash_value(&mut hasher, value, &mut held).then_some(())?;
        }
        hasher.update(&[u8::from(call.autoescape)]);
        Some((hasher.finalize(), held))
    }

    fn render(&self, call: &Call) -> TeraResult<String> {
        let mut args = Context::new();
        for (name, value) in &call.args {
            args.insert_value(name.to_string(), (*value).clone());
        }
        let mut implicits = Context::new();
        for (name, value) in &call.implicits {
            implicits.insert_value(name.to_string(), value.clone());
        }
        self.tera.render_component_with_implicits(
            call.component,
            &args,
            &implicits,
            None,
            call.autoescape,
        )
    }

    /// The call's output: kept from the last render or made earlier in this one, else
    /// rendered (and kept, in `serve`).
    fn fragment(&self, call: &Call) -> TeraResult<Value> {
        // A build keeps nothing, so it has no use for a key.
        let key = if self.store.keep {
            self.key(call)
        } else {
            None
        };
        if let Some((key, _)) = &key {
            note_use(*key);
        }
        if let Some(found) = key.as_ref().and_then(|(key, _)| self.store.get(key)) {
            return Ok(found);
        }
        let value = Value::safe_string(&self.render(call)?);
        if let Some((key, held)) = key {
            let fragment = Fragment {
                html: value.clone(),
                _held: held.into(),
            };
            self.store.put(key, fragment);
        }
        Ok(value)
    }
}

/// `cached`: one component call.
struct CachedOne(Arc<Cached>);

impl Function<TeraResult<Value>> for CachedOne {
    fn call(&self, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
        let call = self.0.call_of(&kwargs, &[COMPONENT_ARG], state)?;
        self.0.fragment(&call)
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// `cached_list`: the same component called once per item of a list, each call through the
/// fragments as `cached` makes it, joined with the text around each item. It writes what
/// `{% for x in each %}{{ before }}{{ cached(component=…, as=x, …) }}{{ after }}{% endfor %}`
/// writes (`before` and `after` as they are, not escaped), without the template engine's
/// work per item: the page's implicit values are read once for the whole list, which at
/// 10,000 items is most of the time a list page takes once its cards are kept.
struct CachedList(Arc<Cached>);

impl Function<TeraResult<Value>> for CachedList {
    fn call(&self, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
        let each = kwargs.must_get::<Value>(EACH_ARG)?;
        let Some(items) = each.as_array() else {
            return Err(tera::Error::message(format!(
                "`{LIST_FUNCTION}(each=…)` takes a list, not {}",
                each.name()
            )));
        };
        let name = kwargs.must_get::<&str>(AS_ARG)?;
        let before = kwargs.get::<&str>(BEFORE_ARG)?.unwrap_or_default();
        let after = kwargs.get::<&str>(AFTER_ARG)?.unwrap_or_default();
        let mut call = self.0.call_of(&kwargs, &LIST_ARGS, state)?;
        if call.args.iter().any(|(arg, _)| *arg == name) {
            return Err(tera::Error::message(format!(
                "`{LIST_FUNCTION}(as=\"{name}\")` passes each item as `{name}`, which is also given as an argument: leave one out"
            )));
        }
        let at = call.args.len();
        // Each fragment is let go of once written: a build keeps none, and holding them
        // all until the end raised its peak memory by the length of the longest list.
        let mut html = String::new();
        for item in items {
            call.args.truncate(at);
            call.args.push((name, item));
            let fragment = self.0.fragment(&call)?;
            html.push_str(before);
            html.push_str(fragment.as_str().unwrap_or_default());
            html.push_str(after);
        }
        Ok(Value::safe_string(&html))
    }

    fn is_safe(&self) -> bool {
        true
    }
}

/// Whether two values are the same value: the same shared list or map, or equal otherwise.
fn same(a: &Value, b: &Value) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a == b,
        _ => false,
    }
}

/// The address of a list's or map's shared contents.
fn identity(value: &Value) -> Option<usize> {
    if let Some(map) = value.as_map() {
        return Some(std::ptr::from_ref(map) as usize);
    }
    // An empty list has no contents of its own to point to.
    value
        .as_array()
        .filter(|items| !items.is_empty())
        .map(|items| items.as_ptr() as usize)
}

/// Feeds a value to the key: a list or map by identity (holding it, so the identity stays
/// its own), anything else by its kind, whether it is marked safe, and its contents (a
/// string's text as it is, other values as JSON: the kind comes first, so the two cannot
/// be confused). Returns false for a value that cannot be keyed (it could not be
/// serialized).
fn hash_value(hasher: &mut blake3::Hasher, value: &Value, held: &mut Vec<Value>) -> bool {
    if let Some(address) = identity(value) {
        hasher.update(b"shared");
        hasher.update(&(address as u64).to_le_bytes());
        held.push(value.clone());
        return true;
    }
    hash_text(hasher, value.name());
    hasher.update(&[u8::from(value.is_safe())]);
    if let Some(text) = value.as_str() {
        hash_text(hasher, text);
        return true;
    }
    let Ok(text) = serde_json::to_string(value) else {
        return false;
    };
    hash_text(hasher, &text);
    true
}

/// Feeds `text` to `hasher` after its length.
fn hash_text(hasher: &mut blake3::Hasher, text: &str) {
    hasher.update(&(text.len() as u64).to_le_bytes());
    hasher.update(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPONENTS: &str = r#"{% component card(item, level=2, @root) -%}
<h{{ level }}><a href="{{ root }}{{ item.url }}">{{ item.title }}</a></h{{ level }}>
{%- endcomponent card %}
{% component calls_cached(item) %}{{ cached(component="card", item=item) }}{% endcomponent calls_cached %}"#;

    /// Each item twice on a line: inline, then through `cached`.
    const PAGE: &str = r#"{% for item in items %}{{ <card item={item} level={3} /> }}|{{ cached(component="card", item=item, level=3) }}
{% endfor %}"#;

    /// A list written by a loop over `cached`, and by `cached_list`.
    const LOOP: &str = r#"<ul>{% for item in items %}
  <li>{{ cached(component="card", item=item, level=3) }}</li>{% endfor %}
</ul>"#;
    const LIST: &str = r#"<ul>{{ cached_list(component="card", each=items, as="item", level=3, before="\n  <li>", after="</li>") }}
</ul>"#;

    fn tera(store: Arc<Store>) -> Tera {
        let mut inner = Tera::new();
        inner.autoescape_on(vec![".html"]);
        register_stand_in(&mut inner);
        inner
            .add_raw_templates(vec![
                ("components.html", COMPONENTS),
                ("page.html", PAGE),
                (
                    "nested.html",
                    r#"{{ cached(component="calls_cached", item=items[0]) }}"#,
                ),
                ("loop.html", LOOP),
                ("list.html", LIST),
                (
                    "not_a_list.html",
                    r#"{{ cached_list(component="card", each=items[0], as="item") }}"#,
                ),
                (
                    "as_twice.html",
                    r#"{{ cached_list(component="card", each=items, as="item", item=items[0]) }}"#,
                ),
            ])
            .unwrap();
        let mut outer = inner.clone();
        register(&mut outer, inner, store);
        outer
    }

    fn item(url: &str, title: &str) -> Value {
        Value::from_serializable(&serde_json::json!({ "url": url, "title": title }))
    }

    fn render(tera: &Tera, root: &str, items: &[Value]) -> String {
        let mut context = Context::new();
        context.insert("root", root);
        context.insert_value("items", Value::from(items.to_vec()));
        tera.render("page.html", &context).unwrap()
    }

    /// The left and right halves of each line: inline and cached.
    fn halves(html: &str) -> Vec<(&str, &str)> {
        html.lines().filter_map(|l| l.split_once('|')).collect()
    }

    #[test]
    fn a_cached_call_writes_what_the_component_writes() {
        let items = [item("a/", "Tom & Jerry <3>"), item("b/", "\"Quoted\"")];
        let html = render(&tera(Store::passing()), "../", &items);
        let lines = halves(&html);
        assert_eq!(lines.len(), 2);
        for (inline, cached) in lines {
            assert_eq!(cached, inline);
        }
        assert!(html.contains(r#"<h3><a href="../a/">Tom &amp; Jerry &lt;3&gt;</a></h3>"#));
    }

    /// One render through `fragments`, of one page listing `items`; returns the page and
    /// the fragments it holds.
    fn render_kept(
        fragments: &mut Fragments,
        items: &[Value],
        kept_pages: &[&Used],
    ) -> (String, Used) {
        let store = fragments.start(blake3::hash(b"templates and globals"));
        let tera = tera(store.clone());
        let (html, used) = recording(|| render(&tera, "../", items));
        let live = kept_pages
            .iter()
            .map(|&page| page.clone())
            .chain([used.clone()])
            .collect();
        drop(tera);
        fragments.finish(store, live);
        fragments.settle();
        (html, used)
    }

    #[test]
    fn serve_reuses_unchanged_items_and_renders_changed_ones_again() {
        let mut fragments = Fragments::default();
        let (a, b) = (item("a/", "Alpha"), item("b/", "Beta"));
        let (_, used) = render_kept(&mut fragments, &[a.clone(), b.clone()], &[]);
        assert_eq!(used.len(), 2);
        assert_eq!(fragments.kept.len(), 2);

        // `a` is the same value again; `b` changed, so it is a new value.
        let renamed = item("b/", "Beta, renamed");
        let (html, _) = render_kept(&mut fragments, &[a.clone(), renamed], &[]);
        for (inline, cached) in halves(&html) {
            assert_eq!(cached, inline);
        }
        assert!(html.contains("Beta, renamed</a></h3>\n"));
        assert!(!html.contains("Beta</a>"));
        // The fragment of the old `b` is gone; `a`'s was carried over.
        assert_eq!(fragments.kept.len(), 2);

        // New templates or globals: nothing is carried over.
        let store = fragments.start(blake3::hash(b"other templates"));
        assert!(store.previous.is_empty());
    }

    #[test]
    fn a_page_kept_from_the_last_render_keeps_its_fragments() {
        let mut fragments = Fragments::default();
        let (a, b) = (item("a/", "Alpha"), item("b/", "Beta"));
        let (_, list) = render_kept(&mut fragments, &[a.clone(), b.clone()], &[]);
        // An edit that renders another page only: the list page is kept, and so are the
        // fragments it holds, though this render did not use them.
        let (_, other) = render_kept(&mut fragments, std::slice::from_ref(&a), &[&list]);
        assert_eq!(fragments.kept.len(), 2);
        // Once no page holds `b`'s fragment, it goes.
        render_kept(&mut fragments, &[], &[&other]);
        assert_eq!(fragments.kept.len(), 1);
    }

    /// A render in which no page held a fragment (an edit of one case study's text) keeps
    /// the last render's, and the next render finds them.
    #[test]
    fn a_render_without_fragments_keeps_the_last_ones() {
        let mut fragments = Fragments::default();
        let (a, b) = (item("a/", "Alpha"), item("b/", "Beta"));
        render_kept(&mut fragments, &[a.clone(), b.clone()], &[]);
        assert_eq!(fragments.kept.len(), 2);
        let store = fragments.start(blake3::hash(b"templates and globals"));
        fragments.keep_last(store);
        assert_eq!(fragments.kept.len(), 2);
        let store = fragments.start(blake3::hash(b"templates and globals"));
        assert_eq!(store.previous.len(), 2, "the next render starts from them");
    }

    #[test]
    fn pages_at_different_depths_get_their_own_fragment() {
        let mut fragments = Fragments::default();
        let store = fragments.start(blake3::hash(b"shared"));
        let tera = tera(store);
        let a = item("a/", "Alpha");
        let shallow = render(&tera, "../", std::slice::from_ref(&a));
        let deep = render(&tera, "../../", std::slice::from_ref(&a));
        assert!(shallow.contains(r#"|<h3><a href="../a/">Alpha</a></h3>"#));
        assert!(deep.contains(r#"|<h3><a href="../../a/">Alpha</a></h3>"#));
    }

    fn render_template(tera: &Tera, name: &str, items: &[Value]) -> TeraResult<String> {
        let mut context = Context::new();
        context.insert("root", "../");
        context.insert_value("items", Value::from(items.to_vec()));
        tera.render(name, &context)
    }

    #[test]
    fn cached_list_writes_what_the_loop_writes_and_keeps_the_same_fragments() {
        let items = [
            item("a/", "Tom & Jerry <3>"),
            item("b/", "\"Quoted\""),
            item("c/", "Gamma"),
        ];
        let mut fragments = Fragments::default();
        let store = fragments.start(blake3::hash(b"templates and globals"));
        let tera = tera(store.clone());
        let (looped, loop_used) = recording(|| render_template(&tera, "loop.html", &items));
        let (listed, list_used) = recording(|| render_template(&tera, "list.html", &items));
        let looped = looped.unwrap();
        assert_eq!(listed.unwrap(), looped);
        assert!(
            looped
                .contains("\n  <li><h3><a href=\"../a/\">Tom &amp; Jerry &lt;3&gt;</a></h3></li>")
        );
        // Each item is one fragment, the same one a loop over `cached` uses.
        assert_eq!(list_used.len(), 3);
        assert_eq!(list_used, loop_used);
        // An empty list writes nothing around it.
        let empty = render_template(&tera, "list.html", &[]).unwrap();
        assert_eq!(empty, "<ul>\n</ul>");
    }

    #[test]
    fn cached_list_needs_a_list_and_an_unused_name() {
        let tera = tera(Store::passing());
        let err = render_template(&tera, "not_a_list.html", &[item("a/", "Alpha")]).unwrap_err();
        let chain = format!("{err:?}");
        assert!(
            chain.contains("`cached_list(each=…)` takes a list, not map"),
            "{chain}"
        );
        let err = render_template(&tera, "as_twice.html", &[item("a/", "Alpha")]).unwrap_err();
        let chain = format!("{err:?}");
        assert!(
            chain.contains("passes each item as `item`, which is also given as an argument"),
            "{chain}"
        );
    }

    #[test]
    fn a_component_rendered_by_cached_cannot_call_it_again() {
        let tera = tera(Store::passing());
        let mut context = Context::new();
        context.insert_value("items", Value::from(vec![item("a/", "Alpha")]));
        let err = tera.render("nested.html", &context).unwrap_err();
        let chain = format!("{err:?}");
        assert!(
            chain.contains("called by a component that `cached` or `cached_list` renders"),
            "{chain}"
        );
    }
}
