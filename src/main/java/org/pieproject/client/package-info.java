/**
 * A blocking client for the Pie inference engine: connect with {@link org.pieproject.client.PieClient},
 * authenticate, upload programs and launch them as processes whose events ({@link
 * org.pieproject.client.ProcessEvent}) stream back through a {@link org.pieproject.client.PieProcess}.
 * Every call blocks with a deadline, which suits virtual threads; everything thrown is a
 * {@link org.pieproject.client.PieException}. Nothing here is null unless marked {@code @Nullable}.
 */
@NullMarked
package org.pieproject.client;

import org.jspecify.annotations.NullMarked;
