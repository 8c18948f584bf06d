//! The exec hook: the embedded vDSO and the kernel's vvar pages, in every program.

use starry_hooks::{HookResult, UserSpaceIf};

use crate::{VdsoPages, map_vdso};

/// The kernel pages of the embedded vDSO (`axvdso-image`) and of the kernel's
/// data pages (`axvdso-vvar`).
fn kernel_vdso_pages() -> VdsoPages {
    let image = axvdso_image::vdso_image();
    VdsoPages {
        vvar_kernel_addr: axvdso_vvar::vvar_kernel_addr(),
        vvar_size: axvdso_vvar::VVAR_SIZE,
        text_kernel_addr: image.as_ptr() as usize,
        text_size: image.len(),
        sigreturn_offset: axvdso_image::sigreturn_offset(),
    }
}

fn map_vdso_on_exec(uspace: &mut dyn UserSpaceIf) -> HookResult {
    map_vdso(uspace, &kernel_vdso_pages()).map(drop)
}

starry_hooks::register_hook!(EXEC_HOOKS, map_vdso_on_exec);
