using ILGPU.Runtime;

namespace NativeCore.Backends.Ilgpu;

/// <summary>
/// Runs each kernel launch on ILGPU's CPU emulator alone in the process, to its end. Emulated launches on separate CPU
/// accelerators that overlap in time (tests side by side) were seen to corrupt each other's results now and then; the
/// emulator is a correctness tool, so running its launches one at a time costs nothing that matters. Launches on real
/// devices pass through unchanged.
/// </summary>
internal static class CpuLaunchGate
{
    private static readonly Lock Gate = new();

    public static Action<T1,T2,T3> Wrap<T1,T2,T3>(Accelerator accelerator, Action<T1,T2,T3> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4> Wrap<T1,T2,T3,T4>(Accelerator accelerator, Action<T1,T2,T3,T4> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5> Wrap<T1,T2,T3,T4,T5>(Accelerator accelerator, Action<T1,T2,T3,T4,T5> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6> Wrap<T1,T2,T3,T4,T5,T6>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6,T7> Wrap<T1,T2,T3,T4,T5,T6,T7>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6,T7> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6, a7) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6, a7);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6,T7,T8> Wrap<T1,T2,T3,T4,T5,T6,T7,T8>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6,T7,T8> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6, a7, a8) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6, a7, a8);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6,T7,T8,T9> Wrap<T1,T2,T3,T4,T5,T6,T7,T8,T9>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6,T7,T8,T9> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6, a7, a8, a9) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6, a7, a8, a9);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10> Wrap<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
                accelerator.Synchronize();
            }
        };

    public static Action<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10,T11> Wrap<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10,T11>(Accelerator accelerator, Action<T1,T2,T3,T4,T5,T6,T7,T8,T9,T10,T11> kernel) =>
        accelerator.AcceleratorType != AcceleratorType.CPU ? kernel : (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) =>
        {
            lock (Gate)
            {
                kernel(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
                accelerator.Synchronize();
            }
        };
}
