/**
 * The {@code pie-client} command line, built on picocli and shipped as its own executable jar (classifier
 * {@code cli}). Its entry point is {@link org.pieproject.client.cli.PieCli#main}; nothing else here is an API.
 */
package org.pieproject.client.cli;
