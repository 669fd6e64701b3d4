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
}

static NULL: Value = Value::Null;

impl PyResponseObject {
    /// A view of the whole of `root`.
    pub fn new(root: Value) -> Self {
        PyResponseObject { root: Arc::new(root), path: Vec::new() }
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
        PyResponseObject { root: Arc::clone(&self.root), path }
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

    /// The items of a list object (`{"object": "list", "data": [...]}`), which iterates over
    /// them like openai-python's pages.
    fn list_items(&self) -> Option<&Vec<Value>> {
        let v = self.value();
        (v.get("object").and_then(Value::as_str) == Some("list"))
            .then(|| v.get("data").and_then(Value::as_array))
            .flatten()
    }

    fn object(&self) -> PyResult<&serde_json::Map<String, Value>> {
        self.value().as_object().ok_or_else(|| PyTypeError::new_err("this response value is not a JSON object"))
    }
}

#[pymethods]
impl PyResponseObject {
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
        Ok(names)
    }
}
