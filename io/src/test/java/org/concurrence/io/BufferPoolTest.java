package org.concurrence.io;

import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;

/** BufferPool: reuse, the cap per dispatcher, one free list per dispatcher, and streams holding buffers only when needed. */
class BufferPoolTest {

    @Test
    void aReleasedBufferIsTheNextOneAcquiredOnTheSameDispatcher() {
        BufferPool pool = BufferPool.create(64, 4, false);
        InTasklet.run(() -> {
            Buffer first = pool.acquire();
            first.putInt(7);
            pool.release(first);
            assertEquals(1, pool.pooled());
            Buffer again = pool.acquire();
            assertSame(first, again);
            assertEquals(0, again.position(), "handed out cleared");
            assertEquals(64, again.limit());
            assertEquals(1, pool.allocated());
        });
    }

    @Test
    void aDispatcherKeepsAtMostTheCapAndDropsTheRest() {
        BufferPool pool = BufferPool.create(16, 3, false);
        InTasklet.run(() -> {
            List<Buffer> buffers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                buffers.add(pool.acquire());
            }
            buffers.forEach(pool::release);
            assertEquals(3, pool.pooled());
            for (int i = 0; i < 10; i++) {
                pool.acquire();
            }
            assertEquals(17, pool.allocated(), "3 reused, 7 new");
        });
    }

    @Test
    void outsideATaskletAcquireAllocatesAndReleaseDrops() {
        BufferPool pool = BufferPool.create(16, 3, false);
        Buffer b = pool.acquire();
        pool.release(b);
        assertEquals(0, pool.pooled());
        assertNotSame(b, pool.acquire());
        assertEquals(2, pool.allocated());
    }

    @Test
    void eachDispatcherHasItsOwnFreeList() throws Exception {
        BufferPool pool = BufferPool.create(16, 3, false);
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2))) {
            group.run(() -> {
                Dispatcher other = group.dispatcher(1);
                assertTrue(Dispatcher.current() != other);
                pool.release(pool.acquire());
                Tasklet<Integer> there = Tasklet.builder().on(other).spawn(() -> {
                    int before = pool.pooled();
                    pool.release(pool.acquire());
                    return before;
                });
                assertEquals(0, there.join(), "the other dispatcher's list started empty");
                assertEquals(1, pool.pooled());
                return null;
            });
        }
        assertEquals(2, pool.allocated());
    }

    @Test
    void releasingAForeignOrAlreadyReleasedBufferIsRefused() {
        BufferPool pool = BufferPool.create(16, 3, false);
        BufferPool other = BufferPool.create(16, 3, false);
        InTasklet.run(() -> {
            Buffer b = pool.acquire();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.release(b));
            assertEquals("not a buffer of this pool: Buffer[position=0, limit=16, capacity=16] belongs to another pool",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.release(b.duplicate()));
            assertThrows(IllegalArgumentException.class, () -> pool.release(Buffer.allocate(16)));
            pool.release(b);
            assertEquals("buffer released twice: Buffer[position=0, limit=16, capacity=16]",
                    assertThrows(IllegalStateException.class, () -> pool.release(b)).getMessage());
        });
    }

    @Test
    void badSettingsAreRefusedWithTheValue() {
        assertEquals("bufferSize < 1: 0",
                assertThrows(IllegalArgumentException.class, () -> BufferPool.create(0, 1, false)).getMessage());
        assertEquals("maxPooledPerDispatcher < 0: -1",
                assertThrows(IllegalArgumentException.class, () -> BufferPool.create(8, -1, false)).getMessage());
    }

    @Test
    void directPoolsHandOutDirectBuffers() {
        assertTrue(BufferPool.create(8, 1, true).acquire().isDirect());
        assertFalse(BufferPool.standard().acquire().isDirect());
        assertEquals(8192, BufferPool.standard().bufferSize());
    }

    @Test
    void aSourceHoldsABufferOnlyWhileBytesAreBuffered() {
        BufferPool pool = BufferPool.create(16, 4, false);
        InTasklet.run(() -> {
            BufferedSource in = new BufferedSource(ChunkedSource.whole(latin1("0123456789")), pool);
            in.readExactly(3);
            assertEquals(0, pool.pooled(), "7 bytes buffered: the buffer is held");
            in.readExactly(7);
            assertEquals(1, pool.pooled(), "all consumed: the buffer is back");
            assertTrue(in.exhausted());
            assertEquals(1, pool.pooled(), "a read that found the end gave it back too");
        });
    }

    @Test
    void aSinkHoldsABufferOnlyUntilItsBytesAreFlushed() {
        BufferPool pool = BufferPool.create(16, 4, false);
        InTasklet.run(() -> {
            BufferedSink out = new BufferedSink(new RecordingSink(), pool);
            assertEquals(0, pool.allocated(), "nothing before the first byte");
            out.writeInt(1);
            assertEquals(0, pool.pooled());
            out.flush();
            assertEquals(1, pool.pooled());
        });
    }

    @Test
    void aThousandIdleStreamsHoldNoBuffersAndShareOne() {
        BufferPool pool = BufferPool.create(64, 4, false);
        InTasklet.run(() -> {
            List<BufferedStream> streams = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                BufferedStream stream = new BufferedStream(ChunkedSource.whole(latin1("request " + i + "\n")),
                        new RecordingSink(), pool);
                streams.add(stream);
                assertEquals("request " + i, stream.reader().readLine());
                stream.writer().writeString("response\n").flush();
            }
            assertEquals(1, pool.allocated(), "each stream borrowed the same buffer and gave it back");
            assertEquals(1, pool.pooled());
            assertEquals(1000, streams.size());
        });
    }

    @Test
    void aBufferGrownForALongLineIsDroppedAndThePooledOneComesBack() {
        BufferPool pool = BufferPool.create(8, 4, false);
        InTasklet.run(() -> {
            BufferedSource in = new BufferedSource(ChunkedSource.oneByteAtATime(latin1("x".repeat(50) + "\nab\n")), pool);
            assertEquals(50, in.readLine().length());
            assertEquals(1, pool.pooled());
            assertEquals("ab", in.readLine());
            assertEquals(1, pool.pooled());
            assertEquals(1, pool.allocated(), "growing allocated outside the pool");
        });
    }

    @Test
    void buffersComeBackOnEveryPathIncludingFailures() {
        BufferPool pool = BufferPool.create(8, 4, false);
        InTasklet.run(() -> {
            BufferedSource in = new BufferedSource(
                    ChunkedSource.whole(latin1("ab")).failingAtEnd(new IOException("reset")), pool);
            assertEquals("ab", latin1(in.readExactly(2)));
            assertThrows(IOException.class, in::readByte);
            assertEquals(1, pool.pooled());
            BufferedSource closed = new BufferedSource(ChunkedSource.whole(latin1("abc")), pool);
            closed.readByte();
            assertEquals(0, pool.pooled());
            closed.close();
            assertEquals(1, pool.pooled(), "close gives back what was buffered");
        });
    }
}
