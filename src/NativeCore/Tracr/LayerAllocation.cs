namespace NativeCore.Tracr;

/// <summary>
/// Where each SOp's weights go. The depth of an SOp is the longest path from tokens or indices, counting SOps. Depth d
/// takes attention half-layer 2(d−1) and MLP half-layer 2(d−1)+1 (a SelectorWidth fills both); when one depth holds
/// only Aggregates and the next only Maps, the Maps share the Aggregates' layer, as Tracr merges them.
/// </summary>
internal sealed class LayerAllocation
{
    public Dictionary<Sop, int> AttentionLayer { get; } = new();
    public Dictionary<Sop, int> MlpLayer { get; } = new();
    public int LayerCount { get; private set; }

    public static LayerAllocation Allocate(IReadOnlyList<Sop> nodes)
    {
        var depth = new Dictionary<Sop, int>();
        foreach (var n in nodes)
            depth[n] = n is TokensSop or IndicesSop ? 0 : 1 + n.Inputs.Max(i => depth[i]);
        var result = new LayerAllocation();
        int maxDepth = depth.Values.DefaultIfEmpty(0).Max();
        int layer = -1;
        bool previousAttentionOnly = false;
        for (int d = 1; d <= maxDepth; d++)
        {
            var atDepth = nodes.Where(n => depth[n] == d).ToList();
            bool mlpOnly = atDepth.All(n => n is MapSop);
            bool attentionOnly = atDepth.All(n => n is AggregateSop);
            if (!(previousAttentionOnly && mlpOnly)) layer++;
            foreach (var n in atDepth)
            {
                if (n is AggregateSop or SelectorWidthSop) result.AttentionLayer[n] = layer;
                if (n is MapSop or SelectorWidthSop) result.MlpLayer[n] = layer;
            }
            previousAttentionOnly = attentionOnly;
        }
        result.LayerCount = Math.Max(1, layer + 1);
        return result;
    }
}
