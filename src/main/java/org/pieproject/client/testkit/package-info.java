/**
 * An in-process Pie engine for tests, {@link org.pieproject.client.testkit.PieTestServer}: it speaks the
 * engine's protocol and runs Java {@link org.pieproject.client.testkit.Inferlet}s in place of WebAssembly,
 * so code that uses the client can be tested without a GPU or a real engine. It needs the optional
 * {@code org.java-websocket:Java-WebSocket} dependency on the test class path.
 */
package org.pieproject.client.testkit;
