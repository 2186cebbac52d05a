# mkfs writes a volume on the two virtio disks and print decodes its
# metadata device (super block, quorum blocks, allocators, root inode).
# --force: earlier scenarios may have left a volume there.
t_mkfs --force
echo "mkfs rc=$?"
scoutfs print "$T_META"
echo "print rc=$?"
t_pass
