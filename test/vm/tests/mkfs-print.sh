# mkfs writes a volume on the two virtio disks and print decodes its
# metadata device (super block, quorum blocks, allocators, root inode).
t_mkfs
echo "mkfs rc=$?"
scoutfs print "$T_META"
echo "print rc=$?"
t_pass
