/* empty.c - stands in for a module that has no sources yet, so the tree always configures. */
typedef int cl_empty_translation_unit;
