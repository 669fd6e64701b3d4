//! `ResponseObject`: a read-only view of a JSON answer with attribute and key access.
//!
//! Design: the body is parsed once into a `serde_json::Value` while detached and shared behind
//! an `Arc`; nested objects are views (root + path) created on access, so building a response
//! costs no Python objects up front and leaf strings are converted only when read. Attribute
//! access follows openai-python: a field the gateway left out reads as `None`.

use std::sync::Arc;

use pyo3::exceptions::{PyAttributeError, PyIndexError, PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use serde_json::Value;

use crate::client::cost_of;
use crate::python::client::CallMeta;
use crate::python::convert::{number_to_py, py_to_value, value_to_py};

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A JSON object from a gateway answer: `obj.field`, `obj["field"]`, `obj.to_dict()`.
#[pyclass(name = "ResponseObject", module = "vercel_ai_gateway", frozen)]
pub struct PyResponseObject {
    root: Arc<Value>,
    path: Vec<Seg>,
    /// How the call was served; only on the top-level object of a result.
    meta: Option<Arc<CallMeta>>,
}

static NULL: Value = Value::Null;

impl PyResponseObject {
    /// A view of the whole of `root`.
    pub fn new(root: Value) -> Self {
        PyResponseObject { root: Arc::new(root), path: Vec::new(), meta: None }
    }

    /// A result: a view of `root` that also tells how the call was served.
    pub fn with_meta(root: Value, meta: Arc<CallMeta>) -> Self {
        PyResponseObject { root: Arc::new(root), path: Vec::new(), meta: Some(meta) }
    }

    /// The JSON value this view shows.
    pub fn value(&self) -> &Value {
        let mut v: &Value = &self.root;
        for seg in &self.path {
            v = match seg {
                Seg::Key(k) => v.get(k.as_str()).unwrap_or(&NULL),
                Seg::Index(i) => v.get(*i).unwrap_or(&NULL),
            };
        }
        v
    }

    fn child(&self, seg: Seg) -> Self {
        let mut path = Vec::with_capacity(self.path.len() + 1);
        path.extend(self.path.iter().cloned());
        path.push(seg);
        PyResponseObject { root: Arc::clone(&self.root), path, meta: None }
    }

    /// Converts the child at `seg` (whose value is `value`) to Python: objects become views.
    fn convert(&self, py: Python<'_>, seg: Seg, value: &Value) -> PyResult<Py<PyAny>> {
        Ok(match value {
            Value::Object(_) => Py::new(py, self.child(seg))?.into_any(),
            Value::Array(items) => {
                let holder = self.child(seg);
                let list = PyList::empty(py);
                for (i, item) in items.iter().enumerate() {
                    list.append(holder.convert(py, Seg::Index(i), item)?)?;
                }
                list.into_any().unbind()
            }
            Value::String(s) => PyString::new(py, s).into_any().unbind(),
            Value::Number(n) => number_to_py(py, n)?,
            other => value_to_py(py, other)?,
        })
    }

    /// The items of a list object (`{"object": "list", "data": [...]}`, or OpenRouter's
    /// `{"data": [...]}`), which iterates over them like openai-python's pages.
    fn list_items(&self) -> Option<&Vec<Value>> {
        let v = self.value();
        // OpenRouter's lists carry no `object` field.
        let listy = match v.get("object") {
            None | Some(Value::Null) => true,
            Some(o) => o.as_str() == Some("list"),
        };
        listy.then(|| v.get("data").and_then(Value::as_array)).flatten()
    }

    /// The call facts, unless this is a nested object or the JSON has a field called `name`.
    fn meta_unless_field(&self, name: &str) -> Option<&CallMeta> {
        let meta = self.meta.as_deref()?;
        match self.value().get(name) {
            Some(_) => None,
            None => Some(meta),
        }
    }

    fn object(&self) -> PyResult<&serde_json::Map<String, Value>> {
        self.value().as_object().ok_or_else(|| PyTypeError::new_err("this response value is not a JSON object"))
    }
}

/// The attempts of a call as a list of dicts.
pub fn attempts_to_py(py: Python<'_>, meta: Option<&CallMeta>) -> PyResult<Py<PyAny>> {
    let list = PyList::empty(py);
    for a in meta.map(|m| m.attempts.as_slice()).unwrap_or_default() {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("gateway", a.gateway.as_str())?;
        d.set_item("model", a.model.as_deref())?;
        d.set_item("retries", a.retries)?;
        d.set_item("error", a.error.as_deref())?;
        d.set_item("status", a.status)?;
        list.append(d)?;
    }
    Ok(list.into_any().unbind())
}

#[pymethods]
impl PyResponseObject {
    // The call facts below are properties of a result; on nested objects (and wherever the
    // JSON itself has the field, e.g. `provider_metadata.gateway`) the JSON field wins.

    /// The gateway that answered (`"vercel"` or `"openrouter"`).
    #[getter]
    fn gateway(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.meta_unless_field("gateway") {
            Some(m) => Ok(PyString::new(py, m.gateway.as_str()).into_any().unbind()),
            None => self.__getattr__(py, "gateway"),
        }
    }

    /// Every attempt of the call (gateway, model, retries, error, status), the successful one last.
    #[getter]
    fn attempts(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.meta_unless_field("attempts") {
            Some(m) => attempts_to_py(py, Some(m)),
            None => self.__getattr__(py, "attempts"),
        }
    }

    /// The cost in USD: `usage.cost` from the gateway, else the catalog price × tokens (then
    /// `cost_estimated` is true); `None` when neither is known.
    #[getter]
    fn cost_usd(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.meta_unless_field("cost_usd") {
            Some(m) => {
                Ok(cost_of(m.gateway, m.model.as_deref(), self.value()).map(|(c, _)| c).into_pyobject(py)?.unbind())
            }
            None => self.__getattr__(py, "cost_usd"),
        }
    }

    /// Whether `cost_usd` is an estimate from list prices rather than the gateway's figure.
    #[getter]
    fn cost_estimated(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.meta_unless_field("cost_estimated") {
            Some(m) => {
                let estimated = cost_of(m.gateway, m.model.as_deref(), self.value()).map(|(_, e)| e);
                Ok(estimated.into_pyobject(py)?.to_owned().into_any().unbind())
            }
            None => self.__getattr__(py, "cost_estimated"),
        }
    }

    /// The routing decision, explained, when a `Router` decided.
    #[getter]
    fn routing(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self.meta_unless_field("routing") {
            Some(m) => Ok(m.routing.clone().into_pyobject(py)?.unbind()),
            None => self.__getattr__(py, "routing"),
        }
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.object()?.get(name) {
            Some(v) => self.convert(py, Seg::Key(name.to_string()), v),
            None if name.starts_with('_') => Err(PyAttributeError::new_err(name.to_string())),
            None => Ok(py.None()),
        }
    }

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(k) = key.extract::<&str>() {
            return match self.object()?.get(k) {
                Some(v) => self.convert(py, Seg::Key(k.to_string()), v),
                None => Err(PyKeyError::new_err(k.to_string())),
            };
        }
        if let (Ok(i), Some(items)) = (key.extract::<isize>(), self.value().as_array()) {
            let idx = if i < 0 { items.len() as isize + i } else { i };
            return match usize::try_from(idx).ok().and_then(|u| items.get(u).map(|v| (u, v))) {
                Some((u, v)) => self.convert(py, Seg::Index(u), v),
                None => Err(PyIndexError::new_err("index out of range")),
            };
        }
        Err(PyTypeError::new_err("response objects are indexed by field name"))
    }

    fn __contains__(&self, key: &str) -> PyResult<bool> {
        Ok(self.object()?.contains_key(key))
    }

    fn __len__(&self) -> PyResult<usize> {
        match self.list_items() {
            Some(items) => Ok(items.len()),
            None => Ok(self.object()?.len()),
        }
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if let Some(items) = self.list_items() {
            let list = self.convert(py, Seg::Key("data".into()), &Value::Array(items.clone()))?;
            return Ok(list.bind(py).try_iter()?.into_any().unbind());
        }
        let keys = PyList::new(py, self.object()?.keys())?;
        Ok(keys.try_iter()?.into_any().unbind())
    }

    /// The field names, in the order the gateway sent them.
    fn keys(&self) -> PyResult<Vec<String>> {
        Ok(self.object()?.keys().cloned().collect())
    }

    /// `obj[key]` when present, else `default`.
    #[pyo3(signature = (key, default=None))]
    fn get(&self, py: Python<'_>, key: &str, default: Option<Py<PyAny>>) -> PyResult<Py<PyAny>> {
        match self.object()?.get(key) {
            Some(v) => self.convert(py, Seg::Key(key.to_string()), v),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    /// The whole value as plain dicts and lists.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        value_to_py(py, self.value())
    }

    /// Same as `to_dict()`, under the name pydantic and openai-python use.
    fn model_dump(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        value_to_py(py, self.value())
    }

    /// The value as compact JSON text.
    fn to_json(&self) -> String {
        self.value().to_string()
    }

    /// Same as `to_json()`, under the name pydantic and openai-python use.
    fn model_dump_json(&self) -> String {
        self.value().to_string()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(match py_to_value(other) {
            Ok(v) => &v == self.value(),
            Err(_) => false,
        })
    }

    fn __repr__(&self) -> String {
        let text = self.value().to_string();
        if text.chars().count() > 1000 {
            let cut: String = text.chars().take(1000).collect();
            format!("ResponseObject({cut}…)")
        } else {
            format!("ResponseObject({text})")
        }
    }

    fn __dir__(&self) -> PyResult<Vec<String>> {
        let mut names: Vec<String> = self.object()?.keys().cloned().collect();
        names.extend(["get", "keys", "to_dict", "to_json", "model_dump", "model_dump_json"].map(String::from));
        if self.meta.is_some() {
            names.extend(["gateway", "attempts", "cost_usd", "cost_estimated", "routing"].map(String::from));
        }
        Ok(names)
    }
}
