/* fuzz_benefits_rules.c - the rules language parser and compiler: an input starting with 'P'
 * is a parameter file, anything else a rule file read after a small parameter set. A rule
 * that compiles is evaluated over a tiny synthetic population: no crash, no leak, and every
 * status one of the four. */
#include <stdlib.h>
#include <string.h>

#include "cardless/benefits.h"
#include "cardless/population.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char params[] = "table median_income key household_size \"m\"\n"
                             " 2026-01-01 2026-12-31 1 2_564_238\n"
                             " 2026-01-01 2026-12-31 2 4_199_292\n"
                             "table t.rate \"r\"\n 2026-01-01 2026-12-31 32%\n"
                             "table t.area key nblss_tier \"a\"\n"
                             " 2026-01-01 2026-12-31 seoul 1\n 2026-01-01 2026-12-31 other 2\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_benefits_rules *r = NULL;
    struct cl_pop pop;
    struct cl_pop_synth_opts so = {3, 1, 0, false};
    struct cl_benefits_results res;

    if (size > 1 << 16) /* limits in the harness: bugs, not timeouts */
        return 0;
    if (cl_benefits_rules_new(&r, NULL) != CL_OK)
        return 0;
    if (size > 0 && data[0] == 'P') {
        cl_err rc = cl_benefits_rules_add(r, "f.param", cl_bytes_of(data + 1, size - 1), NULL);

        (void)rc; /* any verdict will do: no crash, no leak */
        cl_benefits_rules_free(r);
        return 0;
    }
    if (cl_benefits_rules_add(r, "p.param", cl_bytes_str(params), NULL) != CL_OK)
        abort();
    if (cl_benefits_rules_add(r, "f.rule", cl_bytes_of(data, size), NULL) == CL_OK &&
        cl_benefits_rules_finish(r, NULL) == CL_OK) {
        cl_pop_init(&pop);
        if (cl_pop_synth(&pop, &so, NULL) == CL_OK &&
            cl_benefits_results_init(&res, r, &pop, NULL) == CL_OK) {
            if (cl_benefits_eval(r, &pop, 20513 /* 2026-03-01 */, 1, &res, NULL) == CL_OK)
                for (size_t b = 0; b < res.nben; b++)
                    for (size_t s = 0; s < res.nsub[b]; s++)
                        if (res.status[b][s] > CL_BENEFITS_UNKNOWN_NEEDS_CONSENT)
                            abort();
            cl_benefits_results_fini(&res);
        }
        cl_pop_fini(&pop);
    }
    cl_benefits_rules_free(r);
    return 0;
}
