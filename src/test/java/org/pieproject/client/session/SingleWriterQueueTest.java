package org.pieproject.client.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The segment boundaries of the single-writer queue, where a reader can catch up with the writer. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SingleWriterQueueTest {

    @Test
    void aReaderThatCatchesUpAtEverySlotOfSeveralSegmentsMissesNothing() {
        SingleWriterQueue<Integer> q = new SingleWriterQueue<>();
        for (int i = 0; i < 200; i++) {
            assertThat(q.isEmpty()).isTrue();
            assertThat(q.poll()).isNull();
            q.add(i);
            assertThat(q.isEmpty()).isFalse();
            assertThat(q.poll()).isEqualTo(i);
        }
        assertThat(q.poll()).isNull();
    }

    @Test
    void elementsComeOutInOrderAcrossSegmentsWhateverTheBatchSizes() {
        SingleWriterQueue<Integer> q = new SingleWriterQueue<>();
        int written = 0, read = 0;
        for (int batch : new int[] {1, 31, 32, 33, 64, 5, 100, 2}) {
            for (int i = 0; i < batch; i++) q.add(written++);
            // Read part of what is there, so the reader stops at varied places, segment ends included.
            for (int i = 0; i < batch - 1; i++) assertThat(q.poll()).isEqualTo(read++);
        }
        while (read < written) assertThat(q.poll()).isEqualTo(read++);
        assertThat(q.poll()).isNull();
        assertThat(q.isEmpty()).isTrue();
    }
}
