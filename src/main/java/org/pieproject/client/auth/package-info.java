/**
 * Internal: reading private and public keys in the formats the engine and OpenSSH use, and signing
 * challenges exactly as the engine verifies them. Users go through
 * {@link org.pieproject.client.ParsedPrivateKey}. Not an API.
 */
package org.pieproject.client.auth;
