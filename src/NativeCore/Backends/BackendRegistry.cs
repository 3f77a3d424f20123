using NativeCore.Backends.Cpu;
using NativeCore.Reference;

namespace NativeCore.Backends;

/// <summary>
/// Creates backends by their command-line name and lists what this machine offers. The core registers cpu and
/// reference; other assemblies register theirs (NativeCore.Ilgpu: <c>IlgpuBackends.Register()</c>), so the core
/// carries no device code.
/// </summary>
public static class BackendRegistry
{
    /// <summary>The backend every command uses unless told otherwise.</summary>
    public const string Default = "cpu";

    /// <summary>The group of the backends that run the ILGPU kernels.</summary>
    public const string IlgpuGroup = "ilgpu";

    private static readonly object Gate = new();
    private static readonly List<(string Name, Func<IBackend> Create, string Group)> Entries =
    [
        ("cpu", () => new CpuBackend(), "core"),
        ("reference", () => new ReferenceBackend(), "core"),
    ];
    private static readonly List<Func<IReadOnlyList<string>>> DeviceListers = [];

    /// <summary>Every name <see cref="Create"/> accepts, in the order they were registered.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (Gate) return [.. Entries.Select(e => e.Name)];
        }
    }

    /// <summary>The registered names in <paramref name="group"/> (e.g. <see cref="IlgpuGroup"/>).</summary>
    public static IReadOnlyList<string> NamesIn(string group)
    {
        lock (Gate) return [.. Entries.Where(e => e.Group == group).Select(e => e.Name)];
    }

    /// <summary>Makes <paramref name="create"/> the backend called <paramref name="name"/>; a name already registered is left as it is.</summary>
    public static void Register(string name, Func<IBackend> create, string group)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (Gate)
            if (!Entries.Exists(e => e.Name == name)) Entries.Add((name, create, group));
    }

    /// <summary>Adds <paramref name="describe"/> to the device lists that <see cref="DescribeDevices"/> joins; the same one twice is kept once.</summary>
    public static void RegisterDeviceLister(Func<IReadOnlyList<string>> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        lock (Gate)
            if (!DeviceListers.Contains(describe)) DeviceListers.Add(describe);
    }

    /// <summary>One line per device that a registered backend family found on this machine.</summary>
    public static IReadOnlyList<string> DescribeDevices()
    {
        List<Func<IReadOnlyList<string>>> listers;
        lock (Gate) listers = [.. DeviceListers];
        return [.. listers.SelectMany(l => l())];
    }

    /// <summary>Creates the backend called <paramref name="name"/>.</summary>
    /// <exception cref="BackendUnavailableException">The name is unknown or its device is missing.</exception>
    public static IBackend Create(string name)
    {
        Func<IBackend>? create;
        lock (Gate) create = Entries.Find(e => e.Name == name).Create;
        return create is not null
            ? create()
            : throw new BackendUnavailableException($"unknown backend '{name}'; known backends: {string.Join(", ", Names)}");
    }
}
