package io.vhdstream.nbd.server;

import io.vhdstream.nbd.export.Export;

/**
 * The outcome of a successful handshake.
 *
 * @param structured     structured replies were negotiated
 * @param baseAllocation the base:allocation meta context (id {@link Handshake#BASE_ALLOCATION_ID}) was selected
 */
record Negotiated(Export export, boolean structured, boolean baseAllocation) {
}
