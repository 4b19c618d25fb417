package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TaskLocalTest {

    @Test
    void eachTaskletHasItsOwnValue() {
        TaskLocal<String> local = TaskLocal.create();
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            local.set("main");
            assertNull(Tasklet.spawn(local::get).join());
            assertEquals("child", Tasklet.spawn(() -> {
                local.set("child");
                return local.get();
            }).join());
            assertEquals("main", local.get());
            local.remove();
            assertNull(local.get());
        });
    }

    @Test
    void initialValuesAreMadePerTasklet() {
        TaskLocal<StringBuilder> local = TaskLocal.withInitial(StringBuilder::new);
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            local.get().append("x");
            assertEquals("", Tasklet.spawn(() -> local.get().toString()).join());
            assertEquals("x", local.get().toString());
        });
    }

    @Test
    void anInheritableValueIsCopiedToChildrenAtSpawn() {
        TaskLocal<String> requestId = TaskLocal.inheritable();
        TaskLocal<String> plain = TaskLocal.create();
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            requestId.set("req-1");
            plain.set("not copied");
            Tasklet<String> child = Tasklet.spawn(() -> {
                String seen = requestId.get() + "/" + plain.get();
                requestId.set("changed by child");
                return seen + "/" + Tasklet.spawn(requestId::get).join();
            });
            assertEquals("req-1/null/changed by child", child.join());
            assertEquals("req-1", requestId.get());
        });
    }

    @Test
    void outsideATaskletItIsAClearError() {
        assertThrows(IllegalStateException.class, () -> TaskLocal.create().get());
    }
}
