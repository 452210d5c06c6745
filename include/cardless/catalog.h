/*
 * cardless/catalog.h - credential types as data: one JSON file per type (data/types/<id>.json,
 * format in docs/types.md) yields both the mdoc form (ISO/IEC 18013-5 doctype, namespaces,
 * data elements) and the SD-JWT VC form (vct, claim paths, selective disclosure policy).
 *
 * A catalog is loaded once (a directory scan, a strict JSON parse per file, an index by id,
 * doctype and vct) and then only read: lookups are O(1), and a loaded catalog may be shared
 * by threads. Claims given to issuers are checked against a type, reporting EVERY offending
 * claim at once, then converted per element type to CBOR (mdoc) or JSON (SD-JWT VC).
 *
 * Memory: a catalog owns every type, claim and string it returns (cl_catalog_new/_free).
 * Validation reports and converted JSON live in the arena passed in.
 * Errors: each function returns cl_err and, on failure, fills *err if it is not NULL.
 * Type-file errors name the file and the JSON path: "data/types/x.json: claims[3].type".
 * Messages about claims name the claim, never its value (claims are personal data).
 */
#ifndef CARDLESS_CATALOG_H
#define CARDLESS_CATALOG_H

#include <jansson.h>

#include "cardless/arena.h"
#include "cardless/bytes.h"
#include "cardless/cbor.h"
#include "cardless/defs.h"
#include "cardless/error.h"
CL_BEGIN_DECLS

/* ---- the model ---- */

/* Element types: ISO/IEC 18013-5 §7.2.1 CDDL, as written in type files. */
enum cl_catalog_vtype {
    CL_CATALOG_TSTR = 0,     /* "tstr": JSON string; CBOR text */
    CL_CATALOG_UINT = 1,     /* "uint": JSON integer >= 0 */
    CL_CATALOG_INT = 2,      /* "int": JSON integer */
    CL_CATALOG_BOOL = 3,     /* "bool" */
    CL_CATALOG_FULLDATE = 4, /* "full-date": "YYYY-MM-DD"; CBOR #6.1004(tstr) (RFC 8943) */
    CL_CATALOG_TDATE = 5,    /* "tdate": RFC 3339; CBOR #6.0(tstr) "YYYY-MM-DDTHH:MM:SSZ" */
    CL_CATALOG_BSTR = 6,     /* "bstr": JSON {"$b64": base64url or base64}; CBOR bstr */
    CL_CATALOG_ARRAY = 7,    /* "array": JSON array, items checked against claim->items */
    CL_CATALOG_MAP = 8,      /* "map": JSON object, members checked against claim->fields */
};

/* SD-JWT selective disclosure policy of a claim ("sd" in the type file). */
enum cl_catalog_sd {
    CL_CATALOG_SD_ALLOWED = 0, /* "allowed" (default): issuer chooses, selectively disclosable
                                  unless told otherwise */
    CL_CATALOG_SD_ALWAYS = 1,  /* "always": always selectively disclosable */
    CL_CATALOG_SD_NEVER = 2,   /* "never": always in the clear in the payload */
};

/* Extra check of a tstr's characters ("format" in the type file). */
enum cl_catalog_format {
    CL_CATALOG_FORMAT_NONE = 0,
    CL_CATALOG_FORMAT_DIGITS = 1, /* "digits": ASCII 0-9 only (resident number parts) */
};

struct cl_catalog_text { /* a display string in Korean and English; never NULL when loaded */
    const char *ko;
    const char *en;
};

/*
 * A claim (top-level data element), a field of a map, or the item schema of an array.
 * Read the fields, never write them.
 */
struct cl_catalog_claim {
    const char *name;               /* element identifier / SD-JWT claim name; NULL for items */
    const char *ns;                 /* mdoc namespace of a top-level claim; NULL for fields,
                                       items, and claims of types without an mdoc form */
    enum cl_catalog_vtype type;     /* element type */
    bool mandatory;                 /* issuance refuses claims without it (fields: the map
                                       must have it) */
    bool sensitive;                 /* "sensitive": personal number etc.: never logged, never
                                       in clear by default (e.g. resident_number_back) */
    struct cl_catalog_text display; /* {NULL, NULL} for array items without a display */
    enum cl_catalog_sd sd;          /* SD-JWT policy */
    const char *sdjwt_path;         /* JSON pointer in the SD-JWT VC payload; top-level claims
                                       only ("/" + name by default), NULL otherwise */
    size_t min_length;              /* tstr code points / bstr bytes / array items; 0: none */
    size_t max_length;              /* tstr code points / bstr bytes / array items; 0: none */
    enum cl_catalog_format format;  /* extra tstr check */
    const struct cl_catalog_claim *items;  /* ARRAY: schema of every item, or NULL (any) */
    const struct cl_catalog_claim *fields; /* MAP: known members, or NULL (any members) */
    size_t nfields;
    size_t index; /* position in the type's claims (top-level) or the map's fields */
};

struct cl_catalog_type { /* read the fields, never write them */
    const char *id;      /* TYPE_ID for --type: [a-z0-9_.-]+, unique in the catalog */
    uint32_t version;
    struct cl_catalog_text display;
    struct cl_catalog_text issuer;
    uint32_t validity_days;                /* default validity of an issued credential */
    const char *doctype;                   /* mdoc docType, or NULL: no mdoc form */
    const char *vct;                       /* SD-JWT VC "vct", or NULL: no SD-JWT form */
    const struct cl_catalog_claim *claims; /* in file order */
    size_t nclaims;
    const char *const *namespaces; /* distinct namespaces of the claims, in first-seen order */
    size_t nnamespaces;
    const char *source; /* the file it was loaded from (or the name given to load_json) */
};

/* ---- loading and lookup ---- */

struct cl_catalog_limits {
    size_t max_file_bytes; /* largest type file (default 1 MiB) */
    size_t max_types;      /* most types in one catalog (default 10000) */
    size_t max_claims;     /* most claims (and fields of one map) in one type (default 1000) */
    unsigned max_depth;    /* deepest items/fields nesting of a claim (default 8) */
};

/** The defaults above. */
CL_API struct cl_catalog_limits cl_catalog_limits_default(void);

struct cl_catalog;

/**
 * An empty catalog. lim NULL means the defaults.
 * @return CL_OK, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_catalog_new(const struct cl_catalog_limits *lim,
                                          struct cl_catalog **out, struct cl_error *err);
/** Release the catalog and everything it returned; NULL does nothing. */
CL_API void cl_catalog_free(struct cl_catalog *cat);

/**
 * Load every "*.json" file of a directory (not hidden files, not subdirectories) in name
 * order. Stops at the first bad file; the types of the files before it stay loaded (free the
 * catalog: a half-loaded catalog is for error reporting only).
 * @return CL_OK, CL_ERR_IO (directory or file unreadable), and the codes of load_json
 */
CL_API CL_NODISCARD cl_err cl_catalog_load_dir(struct cl_catalog *cat, const char *dir,
                                               struct cl_error *err);

/** Load one type file. */
CL_API CL_NODISCARD cl_err cl_catalog_load_file(struct cl_catalog *cat, const char *path,
                                                const struct cl_catalog_type **out,
                                                struct cl_error *err);

/**
 * Load one type from JSON text (strict: cl_jose_json_parse; unknown members refused except
 * "$comment"). `name` names the text in messages (a file path). The type is added to the
 * catalog only when everything checks out; *out (may be NULL) gets it.
 * @return CL_OK; CL_ERR_INPUT (syntax, wrong member type, unknown member or element type),
 *         CL_ERR_MISSING, CL_ERR_DUPLICATE (id, doctype or vct already in the catalog, or an
 *         element/sdjwt_path twice in the type), CL_ERR_TOO_LARGE (limits), CL_ERR_ENCODING,
 *         CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_catalog_load_json(struct cl_catalog *cat, struct cl_bytes text,
                                                const char *name,
                                                const struct cl_catalog_type **out,
                                                struct cl_error *err);

/** Number of types, and the i-th in load order (NULL past the end). */
CL_API size_t cl_catalog_count(const struct cl_catalog *cat);
CL_API const struct cl_catalog_type *cl_catalog_type_at(const struct cl_catalog *cat, size_t i);

/** Find a type by id, mdoc doctype or SD-JWT vct (hash index); NULL when absent. */
CL_API const struct cl_catalog_type *cl_catalog_find(const struct cl_catalog *cat, const char *id);
CL_API const struct cl_catalog_type *cl_catalog_find_doctype(const struct cl_catalog *cat,
                                                             const char *doctype);
CL_API const struct cl_catalog_type *cl_catalog_find_vct(const struct cl_catalog *cat,
                                                         const char *vct);

/** The top-level claim of namespace ns named name, or NULL. */
CL_API const struct cl_catalog_claim *cl_catalog_type_element(const struct cl_catalog_type *t,
                                                              const char *ns, const char *name);
/** The claim whose sdjwt_path is path ("/address/street_address"), or NULL. */
CL_API const struct cl_catalog_claim *cl_catalog_type_claim_by_path(const struct cl_catalog_type *t,
                                                                    const char *path);
/** The only top-level claim called name (in any namespace), or NULL (absent or ambiguous). */
CL_API const struct cl_catalog_claim *cl_catalog_type_claim_by_name(const struct cl_catalog_type *t,
                                                                    const char *name);
/** The field of a MAP claim called name, or NULL. */
CL_API const struct cl_catalog_claim *cl_catalog_claim_field(const struct cl_catalog_claim *c,
                                                             const char *name);

/** "tstr", "uint", ..., "map"; "unknown" otherwise. */
CL_API const char *cl_catalog_vtype_name(enum cl_catalog_vtype t);
/** "allowed", "always", "never". */
CL_API const char *cl_catalog_sd_name(enum cl_catalog_sd sd);

/* ---- validating claims given to an issuer ---- */

struct cl_catalog_problem {
    const char *path; /* "org.iso.18013.5.1/birth_date", "org.iso.18013.5.1/driving_privileges
                         [0].issue_date" (mdoc) or "birth_date" (flat SD-JWT input) */
    cl_err code;      /* INPUT (unknown, wrong type, bad date), MISSING, TOO_LARGE, ENCODING
                         (bad $b64, bad UTF-8 or characters) */
    const char *msg;  /* one lower-case sentence naming what is wrong, never the value */
};

struct cl_catalog_value {
    const struct cl_catalog_claim *claim; /* a top-level claim of the type */
    const json_t *value;                  /* borrowed from the claims JSON given */
};

struct cl_catalog_report {
    struct cl_catalog_problem *problems; /* every problem found, in input order then missing
                                            mandatory claims in type order */
    size_t nproblems;
    size_t dropped; /* problems past CL_CATALOG_PROBLEMS_MAX, counted but not listed */
    struct cl_catalog_value *values; /* the claims present, in the type's claim order; use
                                        only when validation returned CL_OK */
    size_t nvalues;
};

#define CL_CATALOG_PROBLEMS_MAX 256

/**
 * Check mdoc claims JSON {"namespace": {"element": value, ...}, ...} against a type: every
 * namespace and element known, every value of its element type (and items/fields, lengths,
 * dates, $b64), every mandatory element present. Reports EVERY problem in rep (arena-owned);
 * the return value and *err summarise: err->where is the first problem's path, err->msg its
 * message followed by "(and N more problems)".
 * @return CL_OK; the code of the first problem; CL_ERR_INPUT when claims is not an object;
 *         CL_ERR_USAGE when the type has no mdoc form (no SD-JWT form, for the SD-JWT
 *         variant); CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_catalog_validate_mdoc_claims(struct cl_arena *a,
                                                           const struct cl_catalog_type *t,
                                                           const json_t *claims,
                                                           struct cl_catalog_report *rep,
                                                           struct cl_error *err);

/**
 * The same for SD-JWT VC issuance. claims is one of:
 *  - the mdoc-shaped {"namespace": {"element": value}} file (recognised when every top-level
 *    key is one of the type's namespaces);
 *  - flat {"key": value}, each key a claim's name (unique in the type) or its sdjwt_path
 *    ("/address/street_address");
 *  - the shape of the SD-JWT VC payload, objects walked along the sdjwt paths
 *    ({"address": {"street_address": ...}, "age_equal_or_over": {"18": true}}); the forms mix.
 * Problem paths are the keys as given, nested ones joined by dots ("address.street_address");
 * "ns/element" for the mdoc shape. A claim given twice (by name and by path) is a problem.
 */
CL_API CL_NODISCARD cl_err cl_catalog_validate_sdjwt_claims(struct cl_arena *a,
                                                            const struct cl_catalog_type *t,
                                                            const json_t *claims,
                                                            struct cl_catalog_report *rep,
                                                            struct cl_error *err);

/**
 * Check one value against a claim (or field, or item schema) and append its problems to rep.
 * path names the value in messages. Returns the number of problems found (0: valid), or
 * SIZE_MAX when memory ran out (a->err tells).
 */
CL_API size_t cl_catalog_check_value(struct cl_arena *a, const struct cl_catalog_claim *c,
                                     const json_t *v, const char *path,
                                     struct cl_catalog_report *rep);

/* ---- conversion ---- */

/**
 * Append the CBOR encoding of a validated JSON value per the claim's element type (mdoc
 * IssuerSignedItem elementValue, ISO/IEC 18013-5 §8.3.2.1.2.2): tstr; uint/int as the
 * shortest integer; bool; full-date #6.1004("YYYY-MM-DD"); tdate #6.0(tstr) normalised to
 * "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339 offsets applied, fractions dropped); bstr from {"$b64"};
 * arrays and maps recursively (maps without fields map JSON generically), map keys as tstr in
 * deterministic order (RFC 8949 §4.2.1). The value is checked again on the way: a value that
 * does not validate fails with the first problem.
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_ENCODING, CL_ERR_TOO_LARGE, CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_catalog_value_to_cbor(struct cl_buf *out,
                                                    const struct cl_catalog_claim *c,
                                                    const json_t *v, struct cl_error *err);

/**
 * A validated JSON value as it goes in an SD-JWT VC payload: bstr {"$b64"} becomes a
 * base64url string, tdate normalised RFC 3339, full-date the string, the rest as given
 * (arrays and maps converted member by member). *out is a new tree owned by the arena.
 */
CL_API CL_NODISCARD cl_err cl_catalog_value_to_sdjwt(struct cl_arena *a,
                                                     const struct cl_catalog_claim *c,
                                                     const json_t *v, json_t **out,
                                                     struct cl_error *err);

/**
 * A CBOR element value as JSON for verifier output. c NULL (element unknown to the catalog)
 * maps any item generically; with a claim, the item must also be of its element type
 * (CL_ERR_INPUT otherwise). Mapping: integers as JSON integers (beyond int64: decimal
 * string); text as string; bstr as base64url string; #6.1004 and #6.100 as "YYYY-MM-DD";
 * #6.0 and #6.1 as "YYYY-MM-DDTHH:MM:SSZ"; arrays; maps with text keys (integer keys as
 * decimal strings, other keys in diagnostic notation; keys colliding after that are
 * CL_ERR_DUPLICATE); true/false/null (undefined as null); floats as reals (non-finite as
 * "NaN"/"Infinity"/"-Infinity"); #6.24 as {"$cbor": base64url of the embedded bytes}; other
 * tags as {"$tag": n, "$value": ...}. *out is owned by the arena.
 * @return CL_OK, CL_ERR_INPUT, CL_ERR_DUPLICATE, CL_ERR_TOO_LARGE (nesting), CL_ERR_NOMEM
 */
CL_API CL_NODISCARD cl_err cl_catalog_cbor_to_json(struct cl_arena *a,
                                                   const struct cl_catalog_claim *c,
                                                   const struct cl_cbor *item, json_t **out,
                                                   struct cl_error *err);

CL_END_DECLS
#endif /* CARDLESS_CATALOG_H */
