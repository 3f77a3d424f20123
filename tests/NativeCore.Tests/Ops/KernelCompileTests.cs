using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using NativeCore.Backends.Ilgpu;
using NativeCore.Kernels;

namespace NativeCore.Tests.Ops;

/// <summary>
/// Compiles every kernel <see cref="IlgpuBackend"/> loads for real GPU targets, with no device and no driver: the CI
/// machines have no GPU, so without this a kernel that ILGPU cannot lower to PTX or OpenCL C would first fail on the
/// day a GPU is lent. ILGPU's CPU emulator runs the kernels as .NET code and never exercises these code generators.
/// </summary>
public sealed class KernelCompileTests(KernelCompileTests.Compilers compilers) : IClassFixture<KernelCompileTests.Compilers>
{
    private const string Clang = "/usr/bin/clang-14";

    /// <summary>Volta, Ampere and Hopper (the H200 that benchmarks/gpu/check.sh is written for).</summary>
    private static readonly string[] Architectures = ["sm_70", "sm_80", "sm_90"];

    /// <summary>xunit member data: one row per kernel and PTX architecture.</summary>
    public static TheoryData<string, string> PtxCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string kernel in BackendKernels.Value.Keys)
            foreach (string arch in Architectures) data.Add(kernel, arch);
        return data;
    }

    /// <summary>xunit member data: one row per kernel.</summary>
    public static TheoryData<string> KernelNames()
    {
        var data = new TheoryData<string>();
        foreach (string kernel in BackendKernels.Value.Keys) data.Add(kernel);
        return data;
    }

    [Theory]
    [MemberData(nameof(PtxCases))]
    public void Kernel_compiles_to_PTX(string kernel, string arch)
    {
        var backend = compilers.Ptx(arch);
        var compiled = (PTXCompiledKernel)compilers.Compile(backend, kernel);
        string ptx = compiled.PTXAssembly;
        Dump($"{kernel}.{arch}.ptx", ptx);
        Assert.False(string.IsNullOrWhiteSpace(ptx), $"{kernel}: empty PTX for {arch}");
        // ILGPU targets the lowest architecture that has every capability it uses (sm_80 at most in 1.5.3), so an
        // sm_90 device gets '.target sm_80'; the driver JIT-compiles PTX for any older target, never a newer one.
        var target = backend.Capabilities.TargetArchitecture;
        Assert.True(target <= backend.Architecture, $"{kernel}: targets {target}, newer than the {arch} device");
        string targetLine = $".target {target.ToString().ToLowerInvariant()}{Environment.NewLine}";
        Assert.True(ptx.Contains(targetLine, StringComparison.Ordinal), $"{kernel}: no '{targetLine.Trim()}' line in its PTX for {arch}, which begins:\n{Head(ptx)}");
        Assert.True(ptx.Contains($".entry {compiled.Name}(", StringComparison.Ordinal), $"{kernel}: no entry point {compiled.Name} in its PTX for {arch}");
    }

    [SkippableTheory]
    [MemberData(nameof(KernelNames))]
    public void Kernel_compiles_to_OpenCL_C_that_clang_accepts(string kernel)
    {
        string? missing = File.Exists(Clang) ? null : $"{Clang} not found (apt-get install clang-14)";
        // CI installs clang-14 in .ci/run; there a missing compiler is a failure, not a skip.
        if (missing is not null && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail($"CI must compile the OpenCL kernels: {missing}");
        Skip.If(missing is not null, missing);

        var compiled = (CLCompiledKernel)compilers.Compile(compilers.OpenCL, kernel);
        Dump($"{kernel}.cl", compiled.Source);
        Assert.True(compiled.Source.Contains($"kernel void {compiled.Name}(", StringComparison.Ordinal), $"{kernel}: no kernel {compiled.Name} in its OpenCL C");

        string file = Path.Combine(Path.GetTempPath(), $"nativecore-{kernel}-{Guid.NewGuid():N}.cl");
        File.WriteAllText(file, compiled.Source);
        try
        {
            // The same -cl-std ILGPU hands the driver's compiler. spir64 lets clang generate code with no OpenCL runtime,
            // so type and code-generation errors surface too, not only syntax; clang 14 declares the built-ins
            // (get_global_id, exp, work_group_barrier) itself, and an unknown call is an error in OpenCL C.
            var psi = new ProcessStartInfo(Clang) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "-x", "cl", $"-cl-std={compiled.CVersion}", "--target=spir64", "-c", "-emit-llvm", "-o", "/dev/null", file })
                psi.ArgumentList.Add(arg);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"{kernel}: clang-14 rejected ILGPU's OpenCL C (exit {p.ExitCode}):\n{stderr.Result}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_kernel_in_NativeCore_Kernels_is_loaded_by_the_backend()
    {
        // Guards the IL scan below: if it silently found nothing (or missed a kernel), the theories would prove nothing.
        var declared = typeof(GemmKernels).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void) && m.GetParameters().Any(p => p.ParameterType.IsGenericType && p.ParameterType.GetGenericTypeDefinition() == typeof(ArrayView<>)))
            .Select(Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(declared);
        Assert.Equal(declared, BackendKernels.Value.Keys.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Keeps the generated code where NATIVECORE_KERNEL_DUMP points, e.g. to feed ptxas on a machine with the CUDA toolkit.</summary>
    private static void Dump(string name, string code)
    {
        if (Environment.GetEnvironmentVariable("NATIVECORE_KERNEL_DUMP") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, name), code);
        }
    }

    private static string Head(string text) => string.Join('\n', text.Split('\n').Take(12));

    private static string Key(MethodInfo m) => $"{m.DeclaringType!.Name}.{m.Name}";

    /// <summary>
    /// The kernels IlgpuBackend loads, by name, each with whether it is implicitly grouped. Read from the IL of the
    /// backend's own loading lambdas, so a kernel added there is compiled here without anyone editing a list.
    /// </summary>
    private static readonly Lazy<IReadOnlyDictionary<string, (MethodInfo Method, bool Implicit)>> BackendKernels = new(ScanBackend);

    private static Dictionary<string, (MethodInfo, bool)> ScanBackend()
    {
        var found = new Dictionary<string, (MethodInfo, bool)>(StringComparer.Ordinal);
        var kernelAssembly = typeof(GemmKernels).Assembly;
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in new[] { typeof(IlgpuBackend) }.Concat(typeof(IlgpuBackend).GetNestedTypes(all)))
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method.GetMethodBody()?.GetILAsByteArray() is not { } il) continue;
            MethodBase? Resolve(int token) => method.Module.ResolveMethod(token, type.IsGenericType ? type.GetGenericArguments() : null,
                method.IsGenericMethod ? method.GetGenericArguments() : null);
            MethodInfo? pending = null;
            foreach (var (op, token) in Instructions(il))
            {
                if (op == OpCodes.Ldftn && Resolve(token) is MethodInfo target && target.DeclaringType?.Assembly == kernelAssembly)
                    pending = target;
                else if (pending is not null && (op == OpCodes.Call || op == OpCodes.Callvirt)
                         && Resolve(token) is MethodInfo load && load.Name.StartsWith("Load", StringComparison.Ordinal) && load.Name.EndsWith("Kernel", StringComparison.Ordinal))
                {
                    // LoadAutoGroupedStreamKernel and LoadImplicitlyGrouped* take an index parameter; LoadStreamKernel is explicitly grouped.
                    found[Key(pending)] = (pending, load.Name.Contains("Grouped", StringComparison.Ordinal) && !load.Name.Contains("Explicitly", StringComparison.Ordinal));
                    pending = null;
                }
            }
        }
        return found;
    }

    private static readonly OpCode[] OneByte = new OpCode[0x100], TwoByte = new OpCode[0x100];

    static KernelCompileTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            if (op.Size == 1) OneByte[op.Value & 0xFF] = op;
            else TwoByte[op.Value & 0xFF] = op;
        }
    }

    /// <summary>Walks a method body; the token is the 4-byte operand where there is one (0 otherwise).</summary>
    private static IEnumerable<(OpCode Op, int Token)> Instructions(byte[] il)
    {
        for (int i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? TwoByte[il[++i]] : OneByte[il[i]];
            i++;
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            yield return (op, size == 4 && op.OperandType != OperandType.InlineSwitch ? BitConverter.ToInt32(il, i) : 0);
            i += size;
        }
    }

    /// <summary>
    /// One ILGPU context (with the algorithms library, as the backend opens it) and one code generator per target,
    /// shared by all cases: both are built from public constructors, so no accelerator and no driver is involved.
    /// </summary>
    public sealed class Compilers : IDisposable
    {
        private readonly Context _context = Context.Create(b => b.EnableAlgorithms());
        private readonly Dictionary<string, PTXBackend> _ptx = [];
        private CLBackend? _openCL;

        /// <summary>
        /// The PTX generator for <paramref name="arch"/> (sm_XY), at the newest PTX ISA the oldest driver that knows
        /// the architecture accepts: what ILGPU's CudaAccelerator would pick on such a driver, so the lowest bar.
        /// </summary>
        public PTXBackend Ptx(string arch)
        {
            if (!_ptx.TryGetValue(arch, out var backend))
            {
                var architecture = new CudaArchitecture(arch[3] - '0', arch[4] - '0');
                var isa = CudaAccelerator.GetInstructionSet(architecture, CudaDriverVersionUtils.GetMinimumDriverVersion(architecture));
                _ptx[arch] = backend = new PTXBackend(_context, new CudaCapabilityContext(architecture), architecture, isa, nvvmAPI: null);
            }
            return backend;
        }

        /// <summary>
        /// The OpenCL C generator for a device with fp64 (the norm reductions accumulate in double) and the generic
        /// address space (ILGPU emits generic pointers), at OpenCL C 2.0, the least ILGPU supports.
        /// </summary>
        public CLBackend OpenCL => _openCL ??= new CLBackend(_context,
            new CLCapabilityContext(float16: false, float64: true, genericAddressSpace: true, int64_Atomics: false, subGroups: false),
            CLDeviceVendor.Other, CLBackend.MinimumVersion);

        /// <summary>Compiles <paramref name="kernel"/> as IlgpuBackend loads it; a failure names the kernel.</summary>
        public CompiledKernel Compile(Backend backend, string kernel)
        {
            var (method, isImplicit) = BackendKernels.Value[kernel];
            var entry = isImplicit ? EntryPointDescription.FromImplicitlyGroupedKernel(method) : EntryPointDescription.FromExplicitlyGroupedKernel(method);
            try
            {
                return backend.Compile(entry, KernelSpecialization.Empty);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{kernel} failed to compile for {(backend is PTXBackend ptx ? $"PTX {ptx.Architecture}" : backend.BackendType)}: {e.GetType().Name}: {e.Message}\n{e}");
            }
        }

        public void Dispose()
        {
            foreach (var b in _ptx.Values) b.Dispose();
            _openCL?.Dispose();
            _context.Dispose();
        }
    }
}
