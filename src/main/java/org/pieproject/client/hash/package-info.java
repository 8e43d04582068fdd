/**
 * Internal: BLAKE3, which the protocol uses to identify programs and files, tuned for large blobs.
 * Users go through {@code PieClient.hashBlob}. Not an API.
 */
package org.pieproject.client.hash;
