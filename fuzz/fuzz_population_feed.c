/* fuzz_population_feed.c - cl_pop_load on any text, in one run or in parts: no crash, no leak,
 * and a loaded store keeps its invariants (counts add up, members contiguous, head and spouse
 * in the household, every id found again by lookup). */
#include <stdlib.h>
#include <string.h>

#include "cardless/population.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
ignore(void *ctx, size_t index, struct cl_bytes id, const struct cl_error *err)
{
    (void)ctx;
    (void)index;
    (void)id;
    if (err->code == 0 || err->where[0] == '\0')
        abort(); /* a skipped record always says what and where */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cl_pop_limits lim;
    struct cl_pop pop;
    struct cl_pop_summary sum;

    cl_pop_limits_default(&lim); /* limits in the harness: bugs, not timeouts */
    lim.max_record_bytes = 1 << 16;
    lim.max_members = 16;
    lim.max_households = 1 << 12;
    lim.max_persons = 1 << 14;
    lim.threads = (unsigned)(size % 3) + 1; /* one run, or JSON Lines in two or three parts */
    cl_pop_init(&pop);
    if (cl_pop_load(&pop, cl_bytes_of(data, size), &lim, ignore, NULL, &sum, NULL) == CL_OK) {
        if (sum.loaded + sum.skipped != sum.records || sum.loaded != pop.nh ||
            sum.persons != pop.np || (pop.nh > 0 && (size_t)pop.hh_first[pop.nh] != pop.np))
            abort();
        for (size_t h = 0; h < pop.nh; h++) {
            int32_t f = pop.hh_first[h], e = pop.hh_first[h + 1];

            if (e <= f || pop.hh_head[h] < f || pop.hh_head[h] >= e ||
                pop.hh_parents[h] >= (int32_t)pop.nh ||
                cl_pop_find_household(&pop, cl_pop_household_id(&pop, h)) != (int32_t)h)
                abort();
            for (int32_t i = f; i < e; i++) {
                int32_t j = -1;

                if (pop.p_hh[i] != (int32_t)h ||
                    (pop.p_spouse[i] >= 0 &&
                     (pop.p_spouse[i] < f || pop.p_spouse[i] >= e || pop.p_spouse[i] == i ||
                      pop.p_spouse[pop.p_spouse[i]] != i)) ||
                    cl_pop_find_person(&pop, cl_pop_person_id(&pop, (size_t)i), &j, NULL) !=
                        CL_OK ||
                    j != i)
                    abort();
                for (int k = 0; k < CL_POP_AS_COUNT; k++)
                    if (cl_pop_money(&pop, pop.assets[k][i]) < 0)
                        abort();
            }
        }
    }
    cl_pop_fini(&pop);
    return 0;
}
