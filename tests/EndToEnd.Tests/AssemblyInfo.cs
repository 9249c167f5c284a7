// Each collection starts a whole AppHost; on two cores they must take turns.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
