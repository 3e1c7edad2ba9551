# The engine's C sources but main.c and the translated-pages table (aot_none.c or a
# converter/aot output): sourced by build.sh and fuzz/build.sh so both link the same engine.
engine_srcs=(cpu.c fpu.c bus.c machine.c plic.c uart.c sbi.c fdt.c virtio.c virtio_console.c virtio_blk.c
             virtio_rng.c virtio_net.c net.c host.c ctl.c payload.c runtime.c virtio_9p.c p9/server.c aot.c)
