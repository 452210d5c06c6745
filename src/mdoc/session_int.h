/* session_int.h - what tests may see of a proximity session beyond the public API. */
#ifndef CARDLESS_MDOC_SESSION_INT_H
#define CARDLESS_MDOC_SESSION_INT_H

#include "cardless/mdoc_session.h"

/** Copy SKReader and SKDevice (SECRET: 32 bytes each) out of a session, for vector tests. */
void cl_mdoc_session_keys(const struct cl_mdoc_session *s, uint8_t sk_reader[32],
                          uint8_t sk_device[32]);

#endif /* CARDLESS_MDOC_SESSION_INT_H */
